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
}
