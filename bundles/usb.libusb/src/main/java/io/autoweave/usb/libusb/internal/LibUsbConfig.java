package io.autoweave.usb.libusb.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave libusb source",
        description = "USB hot-plug through libusb (usb4java). Reads string descriptors where the device can be opened.")
@interface LibUsbConfig {

    @AttributeDefinition(description = "Turn the libusb source on or off")
    boolean enabled() default true;

    @AttributeDefinition(description = "How long one libusb event-handling call waits, in milliseconds (bounds stop time)")
    int event_timeout_ms() default 250;

    @AttributeDefinition(description = "Open devices to read manufacturer, product and serial strings")
    boolean read_strings() default true;

    @AttributeDefinition(description = "First restart delay after a libusb failure, in milliseconds (doubles up to 30 s)")
    long restart_backoff_ms() default 500;

    @AttributeDefinition(description = "Where sysfs is mounted: the kernel's cached descriptor strings are read from "
            + "ROOT/bus/usb/devices/PORT (no device I/O, no permission needed), and libusb's view is checked against it")
    String sysfs_root() default "/sys";

    @AttributeDefinition(description = "How often libusb's view of connected devices is compared with sysfs, in "
            + "milliseconds (100..60000)")
    long divergence_check_ms() default 1000;

    @AttributeDefinition(description = "How long libusb may disagree with sysfs about a device before the source is "
            + "DEGRADED and its libusb context re-created, in milliseconds (0 turns the check off; else 1000..600000)")
    long divergence_bound_ms() default 5000;
}
