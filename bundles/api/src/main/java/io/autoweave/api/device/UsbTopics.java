package io.autoweave.api.device;

/** EventAdmin topics and property keys for USB events. */
public final class UsbTopics {
    private UsbTopics() {
    }

    /** Topic prefix; subscribe to {@code autoweave/usb/*} for both actions. */
    public static final String PREFIX = "autoweave/usb/";
    /** Posted when a device attached. */
    public static final String ATTACH = PREFIX + "ATTACH";
    /** Posted when a device detached. */
    public static final String DETACH = PREFIX + "DETACH";

    /** Event property: the {@link UsbEvent} itself. */
    public static final String EVENT = "usb.event";
    /** Event property: four hex digits. */
    public static final String VENDOR_ID = "vendor_id";
    /** Event property: four hex digits. */
    public static final String PRODUCT_ID = "product_id";
    /** Event property: the device signature. */
    public static final String SIGNATURE = "device_signature";
    /** Event property: {@code bDeviceClass} as an Integer. */
    public static final String DEVICE_CLASS = "device_class";

    /** The topic for {@code action}. */
    public static String topic(UsbAction action) {
        return action == UsbAction.ATTACH ? ATTACH : DETACH;
    }
}
