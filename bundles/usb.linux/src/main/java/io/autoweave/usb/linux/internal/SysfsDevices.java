package io.autoweave.usb.linux.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.autoweave.api.device.UsbDevice;

/**
 * Reads USB devices from {@code ROOT/bus/usb/devices}. Every entry there is a device ({@code 1-2.3}), a root hub
 * ({@code usb1}) or an interface ({@code 1-2.3:1.0}); on a real system they are symlinks into {@code /sys/devices},
 * in the captured fixtures plain directories, and this class only ever looks at the flat listing, so both work.
 *
 * <p>Never throws for a single device: a device unplugged in the middle of a read simply yields what was read or
 * nothing. Only a missing or unreadable devices directory is an error ({@link #scan}).
 */
final class SysfsDevices {

    /** {@code 1-0:1.0}, {@code 1-2.3:1.0}: port, configuration value, interface number. */
    private static final Pattern INTERFACE = Pattern.compile("(.+):(\\d+)\\.(\\d+)");
    private static final Pattern ROOT_HUB = Pattern.compile("usb(\\d+)");
    /** sysfs attributes are tiny; anything longer is not an attribute we understand. */
    private static final int MAX_ATTRIBUTE_BYTES = 4096;

    private final Path devicesDir;

    /** @param sysfsRoot where sysfs is mounted, normally {@code /sys} */
    SysfsDevices(Path sysfsRoot) {
        this.devicesDir = sysfsRoot.resolve("bus").resolve("usb").resolve("devices");
    }

    Path devicesDir() {
        return devicesDir;
    }

    static boolean isInterface(String name) {
        return name.indexOf(':') >= 0;
    }

    static boolean isRootHub(String name) {
        return ROOT_HUB.matcher(name).matches();
    }

    /**
     * Every device present now, sorted by port path.
     *
     * @throws NoSuchFileException when there is no {@code bus/usb/devices} (no USB bus, or sysfs not mounted)
     * @throws IOException when the directory cannot be listed
     */
    List<UsbDevice> scan(boolean includeRootHubs) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(devicesDir)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        }
        List<UsbDevice> devices = new ArrayList<>();
        for (String name : names) {
            if (isInterface(name) || (!includeRootHubs && isRootHub(name))) {
                continue;
            }
            read(name, names).ifPresent(devices::add);
        }
        devices.sort(Comparator.comparing(UsbDevice::portPath));
        return devices;
    }

    /** The device named {@code name} (its port path, e.g. {@code 3-1.2}), or empty when it is not (or no longer) there. */
    Optional<UsbDevice> read(String name) {
        // names come from udev output: a NUL (no file name can hold one) would make resolve() throw
        if (isInterface(name) || name.contains("/") || name.startsWith(".") || name.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        List<String> siblings = new ArrayList<>();
        String glob = interfacePort(name).replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1") + ":*";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(devicesDir, glob)) {
            for (Path entry : entries) {
                siblings.add(entry.getFileName().toString());
            }
        } catch (IOException e) {
            // the interfaces stay unknown; the device itself may still be readable
        }
        return read(name, siblings);
    }

    private Optional<UsbDevice> read(String name, List<String> names) {
        Path dir = devicesDir.resolve(name);
        Integer vendor = hex(dir, "idVendor");
        Integer product = hex(dir, "idProduct");
        if (vendor == null || product == null || vendor > 0xFFFF || product > 0xFFFF) {
            return Optional.empty(); // not a device, or gone
        }
        return Optional.of(new UsbDevice(vendor, product,
                string(dir, "serial"), string(dir, "manufacturer"), string(dir, "product"),
                orMinusOne(hex(dir, "bDeviceClass")), orMinusOne(hex(dir, "bDeviceSubClass")),
                orMinusOne(hex(dir, "bDeviceProtocol")),
                interfaceClasses(name, names),
                orMinusOne(hex(dir, "bcdDevice")),
                orMinusOne(decimal(dir, "busnum")), orMinusOne(decimal(dir, "devnum")),
                name, null));
    }

    /**
     * bInterfaceClass of each interface of the active configuration, by interface number. Interfaces are the
     * entries {@code PORT:CFG.IFNUM}; a root hub {@code usbN} names its interfaces {@code N-0:CFG.IFNUM}.
     */
    private List<Integer> interfaceClasses(String name, List<String> names) {
        String port = interfacePort(name);
        TreeMap<Integer, Integer> byNumber = new TreeMap<>();
        for (String candidate : names) {
            Matcher m = INTERFACE.matcher(candidate);
            if (!m.matches() || !m.group(1).equals(port)) {
                continue;
            }
            Integer cls = hex(devicesDir.resolve(candidate), "bInterfaceClass");
            if (cls != null) {
                try {
                    byNumber.putIfAbsent(Integer.parseInt(m.group(3)), cls);
                } catch (NumberFormatException e) {
                    // an interface number too large for int is not a real interface
                }
            }
        }
        return List.copyOf(byNumber.values());
    }

    /** The port part of the device's interface names: the device name, or {@code N-0} for root hub {@code usbN}. */
    private static String interfacePort(String name) {
        Matcher hub = ROOT_HUB.matcher(name);
        return hub.matches() ? hub.group(1) + "-0" : name;
    }

    private static int orMinusOne(Integer value) {
        return value == null ? -1 : value;
    }

    /**
     * A string descriptor as the kernel cached it. sysfs appends one newline; everything else (even trailing
     * blanks) belongs to the descriptor, so it is kept to match what libusb reads from the device.
     */
    static String string(Path dir, String attribute) {
        String raw = raw(dir, attribute);
        if (raw == null) {
            return null;
        }
        return raw.endsWith("\n") ? raw.substring(0, raw.length() - 1) : raw;
    }

    /** Numeric attributes: hex without {@code 0x}, sometimes padded with blanks ({@code " 1"}). */
    static Integer hex(Path dir, String attribute) {
        return number(raw(dir, attribute), 16);
    }

    static Integer decimal(Path dir, String attribute) {
        return number(raw(dir, attribute), 10);
    }

    private static Integer number(String raw, int radix) {
        if (raw == null) {
            return null;
        }
        String text = raw.trim();
        if (text.isEmpty()) {
            return null;
        }
        try {
            int value = Integer.parseInt(text, radix);
            return value < 0 ? null : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String raw(Path dir, String attribute) {
        Path file = dir.resolve(attribute);
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > MAX_ATTRIBUTE_BYTES) {
                return null;
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            // absent (no such string), unreadable, or the device left while we read it
            return null;
        }
    }
}
