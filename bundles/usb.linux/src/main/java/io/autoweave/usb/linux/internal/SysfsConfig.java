package io.autoweave.usb.linux.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave USB source: sysfs",
        description = "Scans /sys/bus/usb/devices and gives the pipeline full snapshots, which repair any attach or "
                + "detach the live sources missed: at start, periodically, and whenever the udev monitor restarts.")
@interface SysfsConfig {

    @AttributeDefinition(name = "Enabled", description = "Scan sysfs; when false the source only reports STOPPED")
    boolean enabled() default true;

    @AttributeDefinition(name = "sysfs root", description = "Where sysfs is mounted (absolute path); devices are "
            + "read from ROOT/bus/usb/devices")
    String sysfs_root() default "/sys";

    @AttributeDefinition(name = "Scan interval (s)",
            description = "Seconds between periodic scans, 0..86400; 0 = scan only at start and on request")
    int scan_interval_s() default 30;

    @AttributeDefinition(name = "Include root hubs",
            description = "Report the host controllers' root hubs (usb1, usb2, ...) as devices")
    boolean include_root_hubs() default false;
}
