package io.autoweave.usb.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.api.device.UsbDevice;

/**
 * USB descriptors as the kernel exposes them in sysfs ({@code /sys/bus/usb/devices}): device and interface
 * entries with fuzzed names and attribute contents. Contract: a scan never throws while the directory exists (a
 * half-written or odd entry is skipped, not fatal); a device read back carries its entry name as port and its string
 * descriptors exactly as written, less the one newline sysfs appends; numbers out of range are dropped, not
 * wrapped.
 */
class SysfsDevicesFuzzTest {

    private static final String[] NUMERIC = {"idVendor", "idProduct", "bDeviceClass", "bDeviceSubClass",
            "bDeviceProtocol", "bcdDevice", "busnum", "devnum"};
    private static final String[] STRINGS = {"serial", "manufacturer", "product"};
    private static Path root;

    @ParserFuzzTest
    void anySysfsTreeScansAndStringsReadBackAsWritten(FuzzedDataProvider data) throws IOException {
        Path devices = freshTree();
        Map<String, Map<String, String>> written = new LinkedHashMap<>();
        int entries = data.consumeInt(0, 4);
        for (int i = 0; i < entries; i++) {
            String name = data.consumeBoolean() ? plausibleName(data) : fileName(data.consumeString(16));
            if (name == null || written.containsKey(name)) {
                continue;
            }
            Path dir = Files.createDirectories(devices.resolve(name));
            Map<String, String> attributes = new LinkedHashMap<>();
            for (String attribute : NUMERIC) {
                if (data.consumeBoolean()) {
                    String value = data.consumeBoolean() ? Integer.toHexString(data.consumeInt()) + "\n"
                            : data.consumeString(12);
                    Files.writeString(dir.resolve(attribute), value);
                    attributes.put(attribute, value);
                }
            }
            for (String attribute : STRINGS) {
                if (data.consumeBoolean()) {
                    byte[] raw = data.consumeBytes(64);
                    Files.write(dir.resolve(attribute), raw);
                    attributes.put(attribute, new String(raw, java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            if (data.consumeBoolean()) {
                Path iface = Files.createDirectories(devices.resolve(name + ":1." + data.consumeInt(0, 3)));
                Files.writeString(iface.resolve("bInterfaceClass"), data.consumeString(4));
            }
            written.put(name, attributes);
        }
        check(new SysfsDevices(root).scan(true), written);
        check(new SysfsDevices(root).scan(false), written);
        SysfsDevices sysfs = new SysfsDevices(root);
        for (String name : written.keySet()) {
            sysfs.read(name).ifPresent(d -> check(List.of(d), written));
        }
        sysfs.read(data.consumeRemainingAsString()); // a name from a udev event: anything, never throws
    }

    private static void check(List<UsbDevice> devices, Map<String, Map<String, String>> written) {
        List<String> ports = new ArrayList<>();
        for (UsbDevice d : devices) {
            Map<String, String> attributes = written.get(d.portPath());
            assertTrue(attributes != null, () -> "device for an entry never written: " + d.portPath());
            assertTrue(!SysfsDevices.isInterface(d.portPath()), "an interface read as a device");
            assertEquals(asSysfsString(attributes.get("serial")), d.serial(), "serial");
            assertEquals(asSysfsString(attributes.get("manufacturer")), d.manufacturer(), "manufacturer");
            assertEquals(asSysfsString(attributes.get("product")), d.product(), "product");
            assertTrue(d.deviceClass() >= -1 && d.busNumber() >= -1 && d.deviceAddress() >= -1, "negative number");
            ports.add(d.portPath());
        }
        List<String> sorted = new ArrayList<>(ports);
        sorted.sort(Comparator.naturalOrder());
        assertEquals(sorted, ports, "scan not sorted by port path");
    }

    private static String asSysfsString(String raw) {
        if (raw == null || raw.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 4096) {
            return null;
        }
        return raw.endsWith("\n") ? raw.substring(0, raw.length() - 1) : raw;
    }

    /** Names the kernel uses: {@code 1-2.3}, {@code usb1}, {@code 1-2:1.0}. */
    private static String plausibleName(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 2)) {
            case 0: return "usb" + data.consumeInt(0, 20);
            case 1: return data.consumeInt(0, 20) + "-" + data.consumeInt(0, 9) + "." + data.consumeInt(0, 9);
            default: return data.consumeInt(0, 20) + "-" + data.consumeInt(0, 9) + ":1." + data.consumeInt(0, 9);
        }
    }

    /** Any string the file system can name, else null. */
    private static String fileName(String s) {
        if (s.isEmpty() || s.equals(".") || s.equals("..") || s.indexOf('/') >= 0 || s.indexOf('\0') >= 0
                || !s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return null;
        }
        return s;
    }

    private static Path freshTree() throws IOException {
        if (root == null) {
            root = Files.createTempDirectory("sysfs-fuzz");
            root.toFile().deleteOnExit();
        }
        Path devices = root.resolve("bus/usb/devices");
        if (Files.exists(devices)) {
            try (Stream<Path> walk = Files.walk(devices)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        return Files.createDirectories(devices);
    }
}
