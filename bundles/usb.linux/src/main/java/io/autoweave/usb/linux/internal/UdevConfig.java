package io.autoweave.usb.linux.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave USB source: udev",
        description = "Runs 'udevadm monitor --udev --property --subsystem-match=usb/usb_device' as a supervised "
                + "child process and reports each USB device attach and detach udev announces.")
@interface UdevConfig {

    @AttributeDefinition(name = "Enabled", description = "Run the udev monitor; when false the source only reports STOPPED")
    boolean enabled() default true;

    @AttributeDefinition(name = "udevadm path",
            description = "The udevadm executable: a name looked up on PATH, or an absolute path")
    String udevadm_path() default "udevadm";

    @AttributeDefinition(name = "sysfs root", description = "Where sysfs is mounted (absolute path); attached "
            + "devices are read from ROOT/bus/usb/devices so udev and sysfs report identical identities")
    String sysfs_root() default "/sys";

    @AttributeDefinition(name = "Include root hubs",
            description = "Report the host controllers' root hubs (usb1, usb2, ...) as devices")
    boolean include_root_hubs() default false;

    @AttributeDefinition(name = "First restart delay (ms)",
            description = "Back-off after udevadm ends, doubled on each further failure, 10..max")
    long restart_backoff_initial_ms() default 500;

    @AttributeDefinition(name = "Maximum restart delay (ms)",
            description = "Cap of the restart back-off, initial..300000")
    long restart_backoff_max_ms() default 30000;
}
