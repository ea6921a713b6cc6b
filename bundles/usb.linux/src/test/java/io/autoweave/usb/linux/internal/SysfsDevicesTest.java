package io.autoweave.usb.linux.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbDevice;

public class SysfsDevicesTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static List<String> ports(List<UsbDevice> devices) {
        return devices.stream().map(UsbDevice::portPath).collect(Collectors.toList());
    }

    @Test
    public void realSnapshotYieldsDevicesButNotInterfacesNorRootHubs() throws Exception {
        List<UsbDevice> devices = new SysfsDevices(Fixtures.sysfs("multi")).scan(false);

        assertEquals(List.of("1-2", "1-4", "2-1"), ports(devices));
        UsbDevice hub = devices.get(0);
        assertEquals(new UsbDevice(0x0409, 0x55aa, "314159-0000:00:04.0-2", "QEMU", "QEMU USB Hub", 9, 0, 0,
                List.of(9), 0x0101, 1, 15, "1-2", null), hub);
        UsbDevice kbd = devices.get(1);
        assertEquals(new UsbDevice(0x0627, 0x0001, "68284-0000:00:04.0-4", "QEMU", "QEMU USB Keyboard", 0, 0, 0,
                List.of(3), 0, 1, 14, "1-4", null), kbd);
        UsbDevice disk = devices.get(2);
        assertEquals(new UsbDevice(0x46f4, 0x0001, "AWms", "QEMU", "QEMU USB HARDDRIVE", 0, 0, 0, List.of(8), 0, 2, 5,
                "2-1", null), disk);
    }

    @Test
    public void rootHubsOnRequestWithTheirNMinusZeroInterfaces() throws Exception {
        List<UsbDevice> devices = new SysfsDevices(Fixtures.sysfs("empty")).scan(true);

        assertEquals(List.of("usb1", "usb2"), ports(devices));
        UsbDevice usb2 = devices.get(1);
        assertEquals(0x1d6b, usb2.vendorId());
        assertEquals(0x0003, usb2.productId());
        assertEquals(List.of(9), usb2.interfaceClasses());
        assertEquals("Linux 6.1.0-50-amd64 xhci-hcd", usb2.manufacturer());
        assertEquals(3, usb2.deviceProtocol());
        assertEquals(new SysfsDevices(Fixtures.sysfs("empty")).read("usb2").orElseThrow(), usb2);
    }

    @Test
    public void everyCapturedScenarioScansToWhatItsReadmeSays() throws Exception {
        assertEquals(List.of(), ports(new SysfsDevices(Fixtures.sysfs("empty")).scan(false)));
        assertEquals(List.of("1-1"), ports(new SysfsDevices(Fixtures.sysfs("kbd")).scan(false)));
        assertEquals(List.of("1-3"), ports(new SysfsDevices(Fixtures.sysfs("mouse")).scan(false)));
        assertEquals(List.of("1-4"), ports(new SysfsDevices(Fixtures.sysfs("tablet")).scan(false)));
        assertEquals(List.of("2-2"), ports(new SysfsDevices(Fixtures.sysfs("storage")).scan(false)));
        UsbDevice serial = new SysfsDevices(Fixtures.sysfs("serial")).scan(false).get(0);
        assertEquals("0403:6001", serial.vendorHex() + ":" + serial.productHex());
        assertEquals(0x0400, serial.bcdDevice());
        assertEquals(List.of(0xff), serial.interfaceClasses());
    }

    @Test
    public void missingUsbBusIsNoSuchFileNotAnEmptyList() throws Exception {
        try {
            new SysfsDevices(tmp.getRoot().toPath()).scan(false);
            throw new AssertionError("expected NoSuchFileException");
        } catch (NoSuchFileException expected) {
            assertTrue(expected.getMessage().endsWith("bus/usb/devices"));
        }
    }

    @Test
    public void interfacesAreOrderedByNumberStringsKeepInnerBlanksAndMissingOnesAreNull() throws Exception {
        Path root = tmp.getRoot().toPath();
        Path devices = root.resolve("bus/usb/devices");
        device(devices.resolve("3-1.2"), "idVendor=046d\n", "idProduct=c52b\n", "product= Unifying  Receiver \n",
                "bDeviceClass=00\n", "bcdDevice=1211\n", "busnum=3\n", "devnum=7\n");
        device(devices.resolve("3-1.2:1.10"), "bInterfaceClass=0a\n");
        device(devices.resolve("3-1.2:1.2"), "bInterfaceClass=ff\n");
        device(devices.resolve("3-1.2:1.0"), "bInterfaceClass=03\n");
        device(devices.resolve("3-1"), "idProduct=0001\n"); // half-gone: no idVendor
        device(devices.resolve("3-1.20:1.0"), "bInterfaceClass=08\n"); // another device's interface

        UsbDevice d = new SysfsDevices(root).scan(false).get(0);

        assertEquals(1, new SysfsDevices(root).scan(false).size());
        assertEquals(List.of(3, 0xff, 0x0a), d.interfaceClasses());
        assertEquals(" Unifying  Receiver ", d.product());
        assertNull(d.serial());
        assertNull(d.manufacturer());
        assertEquals(-1, d.deviceSubclass());
        assertEquals("3-1.2", d.portPath());
        assertEquals(d, new SysfsDevices(root).read("3-1.2").orElseThrow());
        assertTrue(new SysfsDevices(root).read("3-9").isEmpty());
        assertTrue(new SysfsDevices(root).read("../../etc").isEmpty());
        // found by SysfsDevicesFuzzTest: a NUL in a udev kernel name made Path.resolve throw
        assertTrue(new SysfsDevices(root).read("3-1\0.2").isEmpty());
    }

    private static void device(Path dir, String... attributes) throws Exception {
        Files.createDirectories(dir);
        for (String a : attributes) {
            int eq = a.indexOf('=');
            Files.write(dir.resolve(a.substring(0, eq)), a.substring(eq + 1).getBytes(StandardCharsets.UTF_8));
        }
    }
}
