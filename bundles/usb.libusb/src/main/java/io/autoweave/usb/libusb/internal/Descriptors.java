package io.autoweave.usb.libusb.internal;

import java.util.ArrayList;
import java.util.List;

/** Pure helpers turning libusb's numbers into the runtime's forms (kept apart from JNI so they are unit-tested). */
final class Descriptors {
    private Descriptors() {
    }

    /**
     * The Linux port path (as in sysfs and udev's DEVPATH): {@code BUS-P1.P2...}; for a root hub (no ports) {@code usbBUS}.
     */
    static String portPath(int bus, byte[] ports, int count) {
        if (count <= 0) {
            return "usb" + bus;
        }
        StringBuilder b = new StringBuilder().append(bus).append('-');
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append('.');
            }
            b.append(ports[i] & 0xFF);
        }
        return b.toString();
    }

    static int u16(short v) {
        return v & 0xFFFF;
    }

    static int u8(byte v) {
        return v & 0xFF;
    }

    /** Interface classes in interface order, first alternate setting of each. */
    static List<Integer> interfaceClasses(byte[] classes) {
        List<Integer> list = new ArrayList<>(classes.length);
        for (byte c : classes) {
            list.add(c & 0xFF);
        }
        return list;
    }

    /** A string descriptor as the device reports it, or null for empty/absent ones. */
    static String clean(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }
}
