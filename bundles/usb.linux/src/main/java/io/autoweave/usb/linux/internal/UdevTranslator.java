package io.autoweave.usb.linux.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.source.DeviceReport;
import io.autoweave.commons.collect.RecentByKey;

/**
 * Turns udev blocks into attach/detach reports: only processed ({@code UDEV}) {@code add}/{@code remove} events of
 * {@code usb_device}s; interfaces, {@code bind}/{@code change}/... and raw {@code KERNEL} blocks are skipped (the raw
 * ones would report every action twice and carry no strings).
 *
 * <p>The device of an attach is read from sysfs when it is still there, exactly as the sysfs source reads it, so
 * both sources (and libusb, which reads the same kernel-cached strings) agree on identity and hence on the
 * signature. udev's properties fill what sysfs could not give. udev's {@code remove} carries no strings at all,
 * so the device remembered at attach (or at the last {@link #prime prime}) is reported for the detach.
 */
final class UdevTranslator {

    static final String SOURCE = "udev";

    private final SysfsDevices sysfs;
    private final boolean includeRootHubs;
    /** Attached devices by port path; written by the reader thread, primed after each (re)start. */
    private final Map<String, UsbDevice> attached = new ConcurrentHashMap<>();
    /** Ports whose last device is remembered (a real topology has far fewer; virtual buses could have more). */
    static final int PORTS_REMEMBERED = 4096;
    /** The last device attached on each port, kept after its detach (reader thread only). */
    private final RecentByKey<String, UsbDevice> lastSeen = new RecentByKey<>(PORTS_REMEMBERED);

    /** @param sysfs where to read attached devices, or null to rely on udev's properties alone */
    UdevTranslator(SysfsDevices sysfs, boolean includeRootHubs) {
        this.sysfs = sysfs;
        this.includeRootHubs = includeRootHubs;
    }

    /** Replaces what is remembered with {@code present} (a scan taken while the monitor listens). */
    void prime(Collection<UsbDevice> present) {
        attached.clear();
        for (UsbDevice device : present) {
            if (device.portPath() != null) {
                attached.put(device.portPath(), device);
                lastSeen.put(device.portPath(), device);
            }
        }
    }

    /**
     * Re-reads what is attached from sysfs (after a (re)start, when events may have been missed). Without sysfs,
     * or when it cannot be read, the memory is kept as it is: a stale entry only costs a detach that is
     * reported with remembered strings.
     */
    void primeFromSysfs() {
        if (sysfs != null) {
            try {
                prime(sysfs.scan(includeRootHubs));
            } catch (java.io.IOException | RuntimeException e) {
                // no sysfs here; udev's properties alone will do
            }
        }
    }

    int remembered() {
        return attached.size();
    }

    Optional<DeviceReport> translate(UdevBlock block) {
        if ("KERNEL".equals(block.origin())) {
            return Optional.empty();
        }
        String subsystem = block.get("SUBSYSTEM");
        if (subsystem != null && !"usb".equals(subsystem)) {
            return Optional.empty();
        }
        String port = block.kernelName();
        String devtype = block.get("DEVTYPE");
        if (devtype != null ? !"usb_device".equals(devtype) : SysfsDevices.isInterface(port)) {
            return Optional.empty();
        }
        if (port.isEmpty() || SysfsDevices.isInterface(port) || (!includeRootHubs && SysfsDevices.isRootHub(port))) {
            return Optional.empty();
        }
        UsbAction action;
        switch (block.action()) {
            case "add": action = UsbAction.ATTACH; break;
            case "remove": action = UsbAction.DETACH; break;
            default: return Optional.empty();
        }
        UsbDevice fromUdev = fromProperties(block, port);
        UsbDevice device;
        if (action == UsbAction.ATTACH) {
            // sysfs shows the port as it is now; a udev report that trails the kernel (a flapping device) is about
            // an earlier enumeration, whose bus address (DEVNUM) the event carries: sysfs is then another device
            UsbDevice fromSysfs = sysfs == null ? null : sysfs.read(port)
                    .filter(d -> sameModel(d, fromUdev) && sameEnumeration(d, fromUdev)).orElse(null);
            device = merge(fromSysfs, fromUdev);
            if (device == null) {
                return Optional.empty();
            }
            if (device.serial() == null) {
                // gone before sysfs could be read, or read while the kernel was removing it (its directory still
                // there, its string attributes already gone): either way unknown, not absent
                device = withRememberedSerial(device);
            }
            attached.put(port, device);
            lastSeen.put(port, device);
        } else {
            UsbDevice known = attached.remove(port);
            device = known != null && sameModel(known, fromUdev) ? merge(known, fromUdev) : fromUdev;
            if (device == null) {
                return Optional.empty();
            }
        }
        return Optional.of(DeviceReport.now(SOURCE, action, device));
    }

    /**
     * A device gone from sysfs before it was read (or caught half removed), whose udev record lacks the serial too (udev's {@code usb_id}
     * ran after the device had left, which happens when it flaps): the serial is unknown, not absent. The serial
     * last seen on that port for the same device descriptor is taken, so a flapping device keeps its signature
     * (the serial is hashed). A device without a serial had none last time either, so it stays without.
     */
    private UsbDevice withRememberedSerial(UsbDevice device) {
        UsbDevice last = lastSeen.get(device.portPath()).orElse(null);
        if (last == null || last.serial() == null || last.vendorId() != device.vendorId()
                || last.productId() != device.productId() || last.bcdDevice() != device.bcdDevice()
                || last.deviceClass() != device.deviceClass() || last.deviceSubclass() != device.deviceSubclass()
                || last.deviceProtocol() != device.deviceProtocol()) {
            return device;
        }
        return new UsbDevice(device.vendorId(), device.productId(), last.serial(),
                device.manufacturer() != null ? device.manufacturer() : last.manufacturer(),
                device.product() != null ? device.product() : last.product(), device.deviceClass(),
                device.deviceSubclass(), device.deviceProtocol(), device.interfaceClasses(), device.bcdDevice(),
                device.busNumber(), device.deviceAddress(), device.portPath(), null);
    }

    private static boolean sameEnumeration(UsbDevice a, UsbDevice b) {
        return b == null || a.deviceAddress() <= 0 || b.deviceAddress() <= 0 || a.deviceAddress() == b.deviceAddress();
    }

    private static boolean sameModel(UsbDevice a, UsbDevice b) {
        return b == null || (a.vendorId() == b.vendorId() && a.productId() == b.productId());
    }

    /** {@code primary}'s values, with what it lacks taken from {@code fallback}; either may be null. */
    static UsbDevice merge(UsbDevice primary, UsbDevice fallback) {
        if (primary == null || fallback == null) {
            return primary == null ? fallback : primary;
        }
        return new UsbDevice(primary.vendorId(), primary.productId(),
                or(primary.serial(), fallback.serial()),
                or(primary.manufacturer(), fallback.manufacturer()),
                or(primary.product(), fallback.product()),
                or(primary.deviceClass(), fallback.deviceClass()),
                or(primary.deviceSubclass(), fallback.deviceSubclass()),
                or(primary.deviceProtocol(), fallback.deviceProtocol()),
                primary.interfaceClasses().isEmpty() ? fallback.interfaceClasses() : primary.interfaceClasses(),
                or(primary.bcdDevice(), fallback.bcdDevice()),
                or(primary.busNumber(), fallback.busNumber()),
                or(primary.deviceAddress(), fallback.deviceAddress()),
                or(primary.portPath(), fallback.portPath()),
                null);
    }

    private static String or(String a, String b) {
        return a != null ? a : b;
    }

    private static int or(int a, int b) {
        return a >= 0 ? a : b;
    }

    /**
     * What udev's properties say about the device, or null without vendor and product ids. Where each comes
     * from (udev 252, {@code usb_id} builtin, and the kernel's {@code usb_uevent}):
     * <ul>
     * <li>{@code ID_VENDOR_ID}/{@code ID_MODEL_ID} (4 hex digits), else {@code PRODUCT=vid/pid/bcd} (kernel,
     *     hex without padding; the only ids a {@code remove} carries);</li>
     * <li>{@code TYPE=class/subclass/protocol}: the kernel prints it in <em>decimal</em>;</li>
     * <li>strings: {@code ID_VENDOR_ENC}/{@code ID_MODEL_ENC} ({@code \xHH}-escaped raw strings). When the
     *     device has no such string, udev puts the hex id there instead; that is recognised and dropped, so a
     *     missing string stays null. {@code ID_*_FROM_DATABASE} (usb.ids names) are deliberately not used: they are
     *     not what the device reports and would change the signature ({@code 0627:0001} is "Adomax ..." there,
     *     "QEMU" on the device);</li>
     * <li>{@code ID_SERIAL_SHORT}: the serial with blanks replaced by {@code _} (udev sanitises it), so sysfs's
     *     raw serial is preferred when readable;</li>
     * <li>{@code ID_USB_INTERFACES=:030101:080650:}: class/subclass/protocol per interface, de-duplicated by udev,
     *     so again only a fallback for sysfs's per-interface list.</li>
     * </ul>
     */
    static UsbDevice fromProperties(UdevBlock block, String port) {
        String[] product = split(block.get("PRODUCT"), 3);
        Integer vendorId = firstNonNull(parse(block.get("ID_VENDOR_ID"), 16), parse(product[0], 16));
        Integer productId = firstNonNull(parse(block.get("ID_MODEL_ID"), 16), parse(product[1], 16));
        if (vendorId == null || productId == null || vendorId > 0xFFFF || productId > 0xFFFF) {
            return null;
        }
        Integer bcd = firstNonNull(parse(product[2], 16), parse(block.get("ID_REVISION"), 16));
        String[] type = split(block.get("TYPE"), 3);
        return new UsbDevice(vendorId, productId,
                emptyToNull(firstNonNull(block.get("ID_SERIAL_SHORT"), block.get("ID_USB_SERIAL_SHORT"))),
                realString(firstNonNull(block.get("ID_VENDOR_ENC"), block.get("ID_USB_VENDOR_ENC")), vendorId),
                realString(firstNonNull(block.get("ID_MODEL_ENC"), block.get("ID_USB_MODEL_ENC")), productId),
                orMinusOne(parse(type[0], 10)), orMinusOne(parse(type[1], 10)), orMinusOne(parse(type[2], 10)),
                interfaceClasses(block.get("ID_USB_INTERFACES")),
                orMinusOne(bcd),
                orMinusOne(parse(block.get("BUSNUM"), 10)), orMinusOne(parse(block.get("DEVNUM"), 10)),
                port, null);
    }

    /** {@code :030101:030102:} → [3, 3]. */
    static List<Integer> interfaceClasses(String value) {
        List<Integer> classes = new ArrayList<>();
        if (value == null) {
            return classes;
        }
        for (String entry : value.split(":")) {
            if (entry.length() == 6) {
                Integer cls = parse(entry.substring(0, 2), 16);
                if (cls != null) {
                    classes.add(cls);
                }
            }
        }
        return classes;
    }

    /** Decodes udev's {@code \xHH} escapes (the bytes are UTF-8); anything else is taken as is. */
    static String decode(String encoded) {
        if (encoded == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        int i = 0;
        while (i < encoded.length()) {
            char c = encoded.charAt(i);
            if (c == '\\' && i + 3 < encoded.length() && encoded.charAt(i + 1) == 'x') {
                Integer b = parse(encoded.substring(i + 2, i + 4), 16);
                if (b != null) {
                    bytes.write(b);
                    i += 4;
                    continue;
                }
            }
            int cp = encoded.codePointAt(i);
            byte[] utf8 = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            bytes.write(utf8, 0, utf8.length);
            i += Character.charCount(cp);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String realString(String encoded, int id) {
        String decoded = emptyToNull(decode(encoded));
        if (decoded != null && decoded.equalsIgnoreCase(String.format("%04x", id))) {
            return null; // udev's stand-in for a device without this string
        }
        return decoded;
    }

    private static String[] split(String value, int parts) {
        String[] out = new String[parts];
        if (value != null) {
            String[] in = value.split("/", -1);
            System.arraycopy(in, 0, out, 0, Math.min(parts, in.length));
        }
        return out;
    }

    static Integer parse(String text, int radix) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            int value = Integer.parseInt(text.trim(), radix);
            return value < 0 ? null : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static <T> T firstNonNull(T a, T b) {
        return a != null ? a : b;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static int orMinusOne(Integer value) {
        return value == null ? -1 : value;
    }
}
