package io.autoweave.usb.linux.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.source.DeviceReport;

public class UdevTranslatorTest {

    private static List<DeviceReport> replay(String log, UdevTranslator translator) throws Exception {
        List<DeviceReport> reports = new ArrayList<>();
        for (UdevBlock block : Fixtures.parse(Fixtures.lines("udev-monitor/" + log))) {
            translator.translate(block).ifPresent(reports::add);
        }
        return reports;
    }

    private static List<String> actionsAndPorts(List<DeviceReport> reports) {
        return reports.stream().map(r -> r.action().wireName() + " " + r.device().portPath()).collect(Collectors.toList());
    }

    @Test
    public void realKeyboardCaptureGivesOneAttachAndOneDetachPerPlug() throws Exception {
        List<DeviceReport> reports = replay("usb-kbd-3-cycles.log", new UdevTranslator(null, false));

        assertEquals(List.of("attach 1-1", "detach 1-1", "attach 1-2", "detach 1-2", "attach 1-3", "detach 1-3"),
                actionsAndPorts(reports));
        UsbDevice kbd = reports.get(0).device();
        assertEquals("udev", reports.get(0).source());
        assertEquals(0x0627, kbd.vendorId());
        assertEquals(0x0001, kbd.productId());
        assertEquals("QEMU", kbd.manufacturer());
        assertEquals("QEMU USB Keyboard", kbd.product()); // decoded from ID_MODEL_ENC, not usb.ids' "QEMU Tablet"
        assertEquals("68284-0000:00:04.0-1", kbd.serial());
        assertEquals(List.of(3), kbd.interfaceClasses());
        assertEquals(0, kbd.deviceClass());
        assertEquals(0x0000, kbd.bcdDevice());
        assertEquals(1, kbd.busNumber());
        assertEquals(2, kbd.deviceAddress());
        assertNull(kbd.signature());
    }

    @Test
    public void detachCarriesTheStringsRememberedAtAttachBecauseUdevRemoveHasNone() throws Exception {
        List<DeviceReport> reports = replay("usb-storage-3-cycles.log", new UdevTranslator(null, false));

        assertEquals(List.of("attach 2-2", "detach 2-2", "attach 2-3", "detach 2-3", "attach 2-4", "detach 2-4"),
                actionsAndPorts(reports));
        for (int i = 0; i < reports.size(); i += 2) {
            assertEquals(reports.get(i).device(), reports.get(i + 1).device());
        }
        UsbDevice disk = reports.get(1).device();
        assertEquals("AWstorage1", disk.serial());
        assertEquals("QEMU USB HARDDRIVE", disk.product());
        assertEquals(List.of(8), disk.interfaceClasses());
        assertEquals(2, disk.busNumber());
    }

    @Test
    public void everyRealCaptureAlternatesAttachAndDetachWithIdsFromTheReadme() throws Exception {
        String[][] expected = {
            {"usb-mouse-3-cycles.log", "0627:0001", "QEMU USB Mouse", "3"},
            {"usb-tablet-3-cycles.log", "0627:0001", "QEMU USB Tablet", "3"},
            {"usb-serial-3-cycles.log", "0403:6001", "QEMU USB SERIAL", "255"},
        };
        for (String[] e : expected) {
            List<DeviceReport> reports = replay(e[0], new UdevTranslator(null, false));
            assertEquals(e[0], 6, reports.size());
            for (int i = 0; i < 6; i++) {
                DeviceReport r = reports.get(i);
                assertEquals(e[0], i % 2 == 0 ? UsbAction.ATTACH : UsbAction.DETACH, r.action());
                assertEquals(e[0], e[1], r.device().vendorHex() + ":" + r.device().productHex());
                assertEquals(e[0], e[2], r.device().product());
                assertEquals(e[0], List.of(Integer.valueOf(e[3])), r.device().interfaceClasses());
            }
        }
    }

    @Test
    public void otherSubsystemsAndRawKernelEventsInAnUnfilteredStreamAreIgnored() throws Exception {
        assertEquals(List.of("attach 1-1", "detach 1-1"),
                actionsAndPorts(replay("all-subsystems-kbd-1-cycle.log", new UdevTranslator(null, false))));
        assertEquals(List.of("attach 2-2", "detach 2-2"),
                actionsAndPorts(replay("all-subsystems-storage-1-cycle.log", new UdevTranslator(null, false))));
    }

    @Test
    public void attachReadFromSysfsEqualsWhatTheSysfsSourceReportsForTheSamePlug() throws Exception {
        // sysfs/tablet was captured while the tablet sat on 1-4, the port of the first cycle in the tablet log
        SysfsDevices sysfs = new SysfsDevices(Fixtures.sysfs("tablet"));
        List<DeviceReport> reports = replay("usb-tablet-3-cycles.log", new UdevTranslator(sysfs, false));

        UsbDevice fromUdev = reports.get(0).device();
        UsbDevice fromSysfs = sysfs.read("1-4").orElseThrow();
        assertEquals("1-4", fromUdev.portPath());
        assertEquals(identity(fromSysfs), identity(fromUdev));
        assertEquals("QEMU USB Tablet", fromUdev.product());
        assertEquals("28754-0000:00:04.0-4", fromUdev.serial());
    }

    /** The identity fields the pipeline hashes (bus/address differ between the two captures: another session). */
    private static List<Object> identity(UsbDevice d) {
        return List.of(d.vendorId(), d.productId(), String.valueOf(d.serial()), String.valueOf(d.manufacturer()),
                String.valueOf(d.product()), d.deviceClass(), d.deviceSubclass(), d.deviceProtocol(),
                d.interfaceClasses(), d.bcdDevice(), d.portPath());
    }

    @Test
    public void anAttachReadFromAHalfRemovedSysfsDirectoryKeepsTheSerialLastSeenOnThePort() throws Exception {
        // a flap: udev reports the add late, while the kernel is removing the device again: its directory and ids
        // are still there, its string attributes already gone (seen on a real kernel under usbvm)
        java.nio.file.Path root = java.nio.file.Files.createTempDirectory("aw-sysfs");
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(root.resolve("bus/usb/devices/1-1"));
        String[][] attributes = { { "idVendor", "0627" }, { "idProduct", "0001" }, { "bcdDevice", "0000" },
            { "bDeviceClass", "00" }, { "bDeviceSubClass", "00" }, { "bDeviceProtocol", "00" }, { "busnum", "1" },
            { "devnum", "5" }, { "serial", "68284-0000:00:04.0-1" }, { "product", "QEMU USB Keyboard" } };
        for (String[] a : attributes) {
            java.nio.file.Files.writeString(dir.resolve(a[0]), a[1] + "\n");
        }
        UdevTranslator translator = new UdevTranslator(new SysfsDevices(root), false);
        String devpath = "/devices/pci0000:00/0000:00:04.0/usb1/1-1";
        String[] props = { "DEVTYPE=usb_device", "SUBSYSTEM=usb", "PRODUCT=627/1/0", "TYPE=0/0/0", "BUSNUM=001",
            "DEVNUM=005" };
        UsbDevice first = translator.translate(block("add", devpath, props)).orElseThrow().device();
        assertEquals("68284-0000:00:04.0-1", first.serial());
        translator.translate(block("remove", devpath, props)).orElseThrow();
        java.nio.file.Files.delete(dir.resolve("serial"));
        java.nio.file.Files.delete(dir.resolve("product"));
        UsbDevice again = translator.translate(block("add", devpath, props)).orElseThrow().device();
        assertEquals("the serial is unknown, not absent: the one last seen on 1-1 for this descriptor",
                "68284-0000:00:04.0-1", again.serial());
    }

    @Test
    public void anAttachReportedAfterTheDeviceReEnumeratedKeepsItsOwnBusAddress() throws Exception {
        // udev trailing a flapping device: its add for address 5 is read when sysfs already shows address 9
        java.nio.file.Path root = java.nio.file.Files.createTempDirectory("aw-sysfs");
        java.nio.file.Path dir = java.nio.file.Files.createDirectories(root.resolve("bus/usb/devices/1-1"));
        String[][] attributes = { { "idVendor", "0627" }, { "idProduct", "0001" }, { "busnum", "1" },
            { "devnum", "9" }, { "serial", "68284-0000:00:04.0-1" } };
        for (String[] a : attributes) {
            java.nio.file.Files.writeString(dir.resolve(a[0]), a[1] + "\n");
        }
        UdevTranslator translator = new UdevTranslator(new SysfsDevices(root), false);
        UsbDevice d = translator.translate(block("add", "/devices/pci0000:00/0000:00:04.0/usb1/1-1",
                "DEVTYPE=usb_device", "SUBSYSTEM=usb", "PRODUCT=627/1/0", "TYPE=0/0/0", "BUSNUM=001", "DEVNUM=005",
                "ID_SERIAL_SHORT=68284-0000:00:04.0-1")).orElseThrow().device();
        assertEquals("the event's enumeration, not the one sysfs shows now", 5, d.deviceAddress());
        assertEquals("68284-0000:00:04.0-1", d.serial());
    }

    @Test
    public void detachWithoutARememberedAttachUsesWhatTheRemoveEventCarries() {
        UdevBlock remove = block("remove", "/devices/pci0000:00/0000:00:04.0/usb2/2-3",
                "DEVTYPE=usb_device", "SUBSYSTEM=usb", "PRODUCT=46f4/1/0", "TYPE=0/0/0", "BUSNUM=002", "DEVNUM=003");

        DeviceReport r = new UdevTranslator(null, false).translate(remove).orElseThrow();

        assertEquals(UsbAction.DETACH, r.action());
        assertEquals(0x46f4, r.device().vendorId());
        assertEquals(1, r.device().productId());
        assertEquals(0, r.device().bcdDevice());
        assertEquals("2-3", r.device().portPath());
        assertEquals(3, r.device().deviceAddress());
        assertNull(r.device().serial());
    }

    @Test
    public void primedDevicesAreRememberedForDetachesAfterARestart() {
        UdevTranslator translator = new UdevTranslator(null, false);
        UsbDevice known = new UsbDevice(0x46f4, 1, "AWms", "QEMU", "QEMU USB HARDDRIVE", 0, 0, 0, List.of(8), 0, 2, 5,
                "2-1", null);
        translator.prime(List.of(known));

        DeviceReport r = translator.translate(block("remove", "/devices/p/usb2/2-1", "DEVTYPE=usb_device",
                "PRODUCT=46f4/1/0", "BUSNUM=002", "DEVNUM=005")).orElseThrow();

        assertEquals(known, r.device());
        assertEquals(0, translator.remembered());
    }

    @Test
    public void aDifferentDeviceOnTheRememberedPortIsNotMistakenForIt() {
        UdevTranslator translator = new UdevTranslator(null, false);
        translator.prime(List.of(new UsbDevice(0x46f4, 1, "AWms", null, null, 0, 0, 0, List.of(8), 0, 2, 5, "2-1", null)));

        DeviceReport r = translator.translate(block("remove", "/devices/p/usb2/2-1", "DEVTYPE=usb_device",
                "PRODUCT=627/1/0")).orElseThrow();

        assertEquals(0x0627, r.device().vendorId());
        assertNull(r.device().serial());
    }

    @Test
    public void interfacesBindChangeRootHubsAndKernelBlocksAreSkipped() {
        UdevTranslator translator = new UdevTranslator(null, false);
        assertTrue(translator.translate(block("add", "/devices/p/usb1/1-1/1-1:1.0", "DEVTYPE=usb_interface",
                "PRODUCT=627/1/0")).isEmpty());
        assertTrue(translator.translate(block("bind", "/devices/p/usb1/1-1", "DEVTYPE=usb_device",
                "PRODUCT=627/1/0")).isEmpty());
        assertTrue(translator.translate(block("add", "/devices/p/usb1", "DEVTYPE=usb_device",
                "PRODUCT=1d6b/2/601")).isEmpty());
        assertTrue(translator.translate(new UdevBlock("KERNEL", "add", "/devices/p/usb1/1-1",
                java.util.Map.of("DEVTYPE", "usb_device", "PRODUCT", "627/1/0"))).isEmpty());
        assertTrue(translator.translate(block("add", "/devices/p/usb1/1-1", "DEVTYPE=usb_device")).isEmpty());
        assertTrue(new UdevTranslator(null, true).translate(block("add", "/devices/p/usb1", "DEVTYPE=usb_device",
                "PRODUCT=1d6b/2/601")).isPresent());
    }

    @Test
    public void typeIsDecimalAndInterfacesListKeepsEachClass() {
        DeviceReport r = new UdevTranslator(null, false).translate(block("add", "/devices/p/usb1/1-2",
                "DEVTYPE=usb_device", "PRODUCT=409/55aa/101", "TYPE=9/0/1",
                "ID_USB_INTERFACES=:030101:030102:ffff00:")).orElseThrow();

        assertEquals(9, r.device().deviceClass());
        assertEquals(1, r.device().deviceProtocol());
        assertEquals(0x101, r.device().bcdDevice());
        assertEquals(List.of(3, 3, 255), r.device().interfaceClasses());
    }

    @Test
    public void escapedStringsAreDecodedAsUtf8AndUdevsHexStandInIsNoString() {
        assertEquals("QEMU USB Keyboard", UdevTranslator.decode("QEMU\\x20USB\\x20Keyboard"));
        assertEquals("Caf\u00e9 \\ 1", UdevTranslator.decode("Caf\\xc3\\xa9\\x20\\x5c\\x201"));
        assertEquals("ends with \\x2", UdevTranslator.decode("ends\\x20with\\x20\\x2"));

        DeviceReport r = new UdevTranslator(null, false).translate(block("add", "/devices/p/usb1/1-5",
                "DEVTYPE=usb_device", "ID_VENDOR_ID=1234", "ID_MODEL_ID=abcd", "ID_VENDOR_ENC=1234",
                "ID_MODEL_ENC=Gadget\\x20\\xe2\\x84\\xa2", "ID_VENDOR_FROM_DATABASE=Some Vendor")).orElseThrow();
        assertNull(r.device().manufacturer());
        assertEquals("Gadget \u2122", r.device().product());
    }

    static UdevBlock block(String action, String devpath, String... properties) {
        java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
        map.put("ACTION", action);
        map.put("DEVPATH", devpath);
        for (String p : properties) {
            int eq = p.indexOf('=');
            map.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return new UdevBlock("UDEV", action, devpath, map);
    }


    private static List<String> block(String action, boolean withSerial) {
        List<String> lines = new ArrayList<>(List.of(
                "UDEV  [30.0] " + action + "      /devices/pci0000:00/0000:00:04.0/usb1/1-1 (usb)",
                "ACTION=" + action, "DEVPATH=/devices/pci0000:00/0000:00:04.0/usb1/1-1", "SUBSYSTEM=usb",
                "DEVTYPE=usb_device", "PRODUCT=627/1/0", "TYPE=0/0/0", "BUSNUM=001", "DEVNUM=002"));
        if (withSerial) {
            lines.add("ID_SERIAL_SHORT=68284-0000:00:04.0-1");
        }
        lines.add("");
        return lines;
    }

    @Test
    public void aFlappingDeviceWhoseUdevRecordLostTheSerialKeepsTheSerialLastSeenOnItsPort() throws Exception {
        // udev's usb_id ran after the device had left again: no ID_SERIAL_SHORT, and sysfs has nothing to read
        UdevTranslator translator = new UdevTranslator(null, false);
        List<String> lines = new ArrayList<>();
        lines.addAll(block("add", true));
        lines.addAll(block("remove", false));
        lines.addAll(block("add", false));
        List<DeviceReport> reports = new ArrayList<>();
        for (UdevBlock b : Fixtures.parse(lines)) {
            translator.translate(b).ifPresent(reports::add);
        }
        assertEquals(3, reports.size());
        assertEquals("68284-0000:00:04.0-1", reports.get(2).device().serial());
        assertEquals("68284-0000:00:04.0-1", reports.get(1).device().serial());
    }
}
