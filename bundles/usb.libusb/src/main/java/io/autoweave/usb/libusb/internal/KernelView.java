package io.autoweave.usb.libusb.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the kernel holds in sysfs ({@code ROOT/bus/usb/devices}), read without touching the device: the strings the
 * kernel cached at enumeration (before it announced the device, so they are there for the first hot-plug report,
 * whatever the device permissions), and which devices are present, to check libusb's view against.
 */
final class KernelView {

    /** The three descriptor strings as the kernel cached them; null where the device has none (or is gone). */
    record Strings(String serial, String manufacturer, String product) {
    }

    private final Path devicesDir;

    KernelView(Path sysfsRoot) {
        this.devicesDir = sysfsRoot.resolve("bus").resolve("usb").resolve("devices");
    }

    /** Whether there is a sysfs USB tree to read at all. */
    boolean available() {
        return Files.isDirectory(devicesDir);
    }

    /** {@code vvvv:pppp} of the device at {@code port}, or null when none is there (any more). */
    String id(String port) {
        if (!valid(port)) {
            return null;
        }
        Path dir = devicesDir.resolve(port);
        String vendor = trimmed(dir, "idVendor");
        String product = trimmed(dir, "idProduct");
        return vendor == null || product == null ? null : vendor + ":" + product;
    }

    /**
     * The strings of the device at {@code port}. sysfs appends one newline to each; everything else belongs to
     * the descriptor and is kept, exactly as the udev and sysfs sources read it, so all sources hash the same
     * serial.
     */
    Strings strings(String port) {
        if (!valid(port)) {
            return new Strings(null, null, null);
        }
        Path dir = devicesDir.resolve(port);
        return new Strings(string(dir, "serial"), string(dir, "manufacturer"), string(dir, "product"));
    }

    /**
     * Every device (not interface, not root hub) present now: port path to {@code vvvv:pppp@ADDRESS}, the address
     * being the kernel's {@code devnum} (a new one at every enumeration, so a device that left and came back on the
     * same port reads differently), or to {@code vvvv:pppp} when the address cannot be read.
     *
     * @throws IOException when the tree cannot be listed (no USB bus, no sysfs)
     */
    Map<String, String> devices() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(devicesDir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.indexOf(':') >= 0 || name.startsWith("usb")) {
                    continue;
                }
                String vendor = trimmed(entry, "idVendor");
                String product = trimmed(entry, "idProduct");
                if (vendor != null && product != null) {
                    String devnum = trimmed(entry, "devnum");
                    out.put(name, vendor + ":" + product + (devnum != null && devnum.matches("[0-9]{1,3}")
                            ? "@" + Integer.parseInt(devnum) : ""));
                }
            }
        } catch (NoSuchFileException e) {
            throw e;
        }
        return out;
    }

    private static boolean valid(String port) {
        return port != null && !port.isEmpty() && port.indexOf('/') < 0 && !port.startsWith(".");
    }

    private static String trimmed(Path dir, String attribute) {
        String s = string(dir, attribute);
        return s == null ? null : s.trim().toLowerCase(java.util.Locale.ROOT);
    }

    static String string(Path dir, String attribute) {
        try {
            byte[] bytes = Files.readAllBytes(dir.resolve(attribute));
            if (bytes.length > 4096) {
                return null;
            }
            String raw = new String(bytes, StandardCharsets.UTF_8);
            return raw.endsWith("\n") ? raw.substring(0, raw.length() - 1) : raw;
        } catch (IOException | SecurityException e) {
            return null; // no such string, or the device left while we read
        }
    }
}
