package io.autoweave.usb.linux.internal;

import java.util.Map;

/**
 * One event block of {@code udevadm monitor --property}: the header and the {@code KEY=VALUE} lines.
 *
 * @param origin {@code UDEV} (after rule processing), {@code KERNEL} (raw uevent), or {@code null} when the
 *               block had no header line
 * @param action the event's action ({@code add}, {@code remove}, {@code bind}, ...)
 * @param devpath the device path below {@code /sys}, e.g. {@code /devices/pci0000:00/0000:00:04.0/usb1/1-1}
 * @param properties the properties in the order printed
 */
record UdevBlock(String origin, String action, String devpath, Map<String, String> properties) {

    UdevBlock {
        properties = Map.copyOf(properties);
    }

    String get(String key) {
        return properties.get(key);
    }

    /** The last path component: the kernel name, which for USB devices is the port path ({@code 3-1.2}). */
    String kernelName() {
        String path = devpath.endsWith("/") ? devpath.substring(0, devpath.length() - 1) : devpath;
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
