package io.autoweave.api.security;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.security.PermissionCollection;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import org.junit.Test;

import io.autoweave.api.device.UsbDevice;

public class UsbPermissionTest {

    private static final UsbDevice LOGITECH_RECEIVER = device(0x046d, 0xc52b, 0, List.of(3, 3, 3));
    private static final UsbDevice USB_STICK = device(0x0781, 0x5567, 0, List.of(8));
    private static final UsbDevice KEYBOARD_WITH_CARD_READER = device(0x04d9, 0x1603, 0, List.of(3, 8));
    private static final UsbDevice HUB = device(0x1d6b, 0x0002, 9, List.of());

    private static UsbDevice device(int vendor, int product, int deviceClass, List<Integer> interfaces) {
        return new UsbDevice(vendor, product, null, null, null, deviceClass, 0, 0, interfaces, 0x0100, 1, 2, "1-2",
                null);
    }

    private static UsbPermission p(String name, String actions) {
        return new UsbPermission(name, actions);
    }

    @Test
    public void starGrantsEveryDevice() {
        UsbPermission all = p("*", "monitor");
        assertTrue(all.implies(UsbPermission.forDevice(LOGITECH_RECEIVER, "monitor")));
        assertTrue(all.implies(UsbPermission.forDevice(HUB, "monitor")));
        assertTrue(all.implies(p("vendor=046d", "monitor")));
    }

    @Test
    public void vendorFilterShowsOnlyThatVendorsDevices() {
        UsbPermission logitech = p("vendor=046d,1d6b", "monitor");
        assertTrue(logitech.implies(UsbPermission.forDevice(LOGITECH_RECEIVER, "monitor")));
        assertTrue(logitech.implies(UsbPermission.forDevice(HUB, "monitor")));
        assertFalse(logitech.implies(UsbPermission.forDevice(USB_STICK, "monitor")));
    }

    @Test
    public void classFilterUsesInterfaceClassesAndDeviceClassWhenNoInterfaceIsKnown() {
        assertTrue(p("class=03", "monitor").implies(UsbPermission.forDevice(LOGITECH_RECEIVER, "monitor")));
        assertFalse(p("class=03", "monitor").implies(UsbPermission.forDevice(USB_STICK, "monitor")));
        assertTrue(p("class=09", "monitor").implies(UsbPermission.forDevice(HUB, "monitor")));
    }

    @Test
    public void aCompositeDeviceNeedsEveryOneOfItsClasses() {
        UsbPermission perm = UsbPermission.forDevice(KEYBOARD_WITH_CARD_READER, "monitor");
        assertEquals("vendor=04d9;product=1603;class=03,08", perm.getName());
        assertFalse(p("class=03", "monitor").implies(perm));
        assertTrue(p("class=03,08", "monitor").implies(perm));
    }

    @Test
    public void vendorAndClassClausesMustBothMatch() {
        UsbPermission logitechHid = p("vendor=046d;class=03", "monitor");
        assertTrue(logitechHid.implies(UsbPermission.forDevice(LOGITECH_RECEIVER, "monitor")));
        assertFalse(logitechHid.implies(UsbPermission.forDevice(KEYBOARD_WITH_CARD_READER, "monitor")));
    }

    @Test
    public void aFilterImpliesANarrowerFilterButNotABroaderOne() {
        assertTrue(p("vendor=046d,1d6b", "monitor").implies(p("vendor=046d", "monitor")));
        assertFalse(p("vendor=046d", "monitor").implies(p("vendor=046d,1d6b", "monitor")));
        assertFalse("a vendor filter does not imply any vendor", p("vendor=046d", "monitor").implies(p("*", "monitor")));
        assertTrue(p("class=03", "monitor").implies(p("vendor=046d;class=03", "monitor")));
        assertTrue(p("vendor=*;class=03", "monitor").implies(p("class=03", "monitor")));
    }

    @Test
    public void readAndWriteIncludeMonitorButNotEachOther() {
        UsbPermission read = p("*", "read");
        assertTrue(read.implies(p("*", "monitor")));
        assertFalse(read.implies(p("*", "write")));
        assertFalse(p("*", "monitor").implies(p("*", "read")));
        assertTrue(p("*", "*").implies(p("*", "read,write")));
        assertEquals("monitor,read", read.getActions());
        assertEquals("monitor,read,write", p("*", " WRITE , read ").getActions());
    }

    @Test
    public void namesAreCanonicalSoEqualGrantsAreEqual() {
        UsbPermission a = p("class=8,3; vendor=046D", "read,monitor");
        UsbPermission b = p("vendor=0x046d;class=03,08", "read");
        assertEquals("vendor=046d;class=03,08", a.getName());
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, p("vendor=046d;class=03,08", "write"));
        assertEquals("*", p(" * ", "monitor").getName());
        assertEquals("*", p("vendor=*", "monitor").getName());
    }

    @Test
    public void otherPermissionTypesAreNeverImplied() {
        assertFalse(p("*", "*").implies(new java.util.PropertyPermission("*", "read")));
    }

    @Test
    public void collectionAddsUpActionsOfCoveringGrants() {
        PermissionCollection c = p("*", "monitor").newPermissionCollection();
        c.add(p("*", "monitor"));
        c.add(p("class=03", "read"));
        assertTrue(c.implies(UsbPermission.forDevice(LOGITECH_RECEIVER, "monitor,read")));
        assertTrue(c.implies(UsbPermission.forDevice(USB_STICK, "monitor")));
        assertFalse(c.implies(UsbPermission.forDevice(USB_STICK, "read")));
        assertFalse(c.implies(UsbPermission.forDevice(LOGITECH_RECEIVER, "write")));
        assertEquals(2, Collections.list(c.elements()).size());
    }

    @Test
    public void readOnlyCollectionRefusesAdd() {
        PermissionCollection c = p("*", "monitor").newPermissionCollection();
        c.setReadOnly();
        try {
            c.add(p("*", "monitor"));
            fail();
        } catch (SecurityException expected) {
            // read-only
        }
    }

    @Test
    public void canMonitorAsksTheGivenPermissionCheck() {
        UsbPermission grant = p("class=03", "monitor");
        assertTrue(UsbPermission.canMonitor(o -> grant.implies((UsbPermission) o), LOGITECH_RECEIVER));
        assertFalse(UsbPermission.canMonitor(o -> grant.implies((UsbPermission) o), USB_STICK));
    }

    @Test
    public void survivesSerialization() throws Exception {
        UsbPermission a = p("vendor=046d;class=03", "read");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(a);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            UsbPermission b = (UsbPermission) in.readObject();
            assertEquals(a, b);
            assertTrue(b.implies(UsbPermission.forDevice(LOGITECH_RECEIVER, "monitor")));
        }
    }

    @Test
    public void parseErrorsSayWhatToWrite() {
        for (String[] bad : new String[][] {
                { "", "write '*'" }, { "vendor", "key=value" }, { "colour=03", "use vendor, product or class" },
                { "vendor=046d;vendor=1d6b", "appears twice" }, { "vendor=12345", "1 to 4 hex digits" },
                { "class=103", "1 to 2 hex digits" }, { "class=zz", "hex digits" }, { "vendor=046d,", "hex" } }) {
            try {
                p(bad[0], "monitor");
                fail("accepted '" + bad[0] + "'");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains(bad[1]));
            }
        }
        for (String actions : new String[] { "", "execute", "monitor,,read" }) {
            try {
                p("*", actions);
                fail("accepted actions '" + actions + "'");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("use monitor, read, write"));
            }
        }
    }

    @Test
    public void deviceClassesAreDistinctAndSorted() {
        assertEquals(Set.of(3), Set.of(UsbPermission.deviceClasses(LOGITECH_RECEIVER)[0]));
        assertEquals(1, UsbPermission.deviceClasses(LOGITECH_RECEIVER).length);
    }
}
