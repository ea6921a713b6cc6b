package io.autoweave.shell.internal;

import java.util.Locale;

import io.autoweave.api.device.UsbDevice;

/**
 * The shell's device filter: {@code VENDOR}, {@code VENDOR:PRODUCT} (4 hex digits each, {@code *} for any) or
 * {@code class=XX} (the device class or any interface class, 2 hex digits). Empty matches every device.
 */
record DeviceFilter(Integer vendor, Integer product, Integer deviceClass) {

    static DeviceFilter parse(String text) {
        if (text == null || text.isBlank()) {
            return new DeviceFilter(null, null, null);
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("class=")) {
            String hex = t.substring(6);
            if (!hex.matches("[0-9a-f]{1,2}")) {
                throw new IllegalArgumentException("class=XX takes 2 hex digits, e.g. class=03 (HID) or class=08 "
                        + "(mass storage), not '" + text + "'");
            }
            return new DeviceFilter(null, null, Integer.parseInt(hex, 16));
        }
        if (t.matches("\\d+\\.\\d+")) {
            throw new IllegalArgumentException("the shell read the filter as the number " + text + " (Gogo takes 046d "
                    + "for a double): quote it, e.g. '046d'");
        }
        String[] parts = t.split(":", -1);
        if (parts.length > 2 || !id(parts[0]) || (parts.length == 2 && !id(parts[1]))) {
            throw new IllegalArgumentException("expected VENDOR or VENDOR:PRODUCT as 4 hex digits each (* for any), "
                    + "e.g. 046d or 046d:c52b, or class=XX; not '" + text + "'");
        }
        return new DeviceFilter(value(parts[0]), parts.length == 2 ? value(parts[1]) : null, null);
    }

    private static boolean id(String s) {
        return s.equals("*") || s.matches("[0-9a-f]{4}");
    }

    private static Integer value(String s) {
        return s.equals("*") ? null : Integer.parseInt(s, 16);
    }

    boolean matches(UsbDevice d) {
        if (vendor != null && d.vendorId() != vendor) {
            return false;
        }
        if (product != null && d.productId() != product) {
            return false;
        }
        return deviceClass == null || d.deviceClass() == deviceClass
                || (d.interfaceClasses() != null && d.interfaceClasses().contains(deviceClass));
    }
}
