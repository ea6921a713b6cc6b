package io.autoweave.api.device;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.Test;

public class SourcesTest {

    @Test
    public void keepsTheReportingOrderDropsRepeatsAndSharesEqualOrderings() {
        Set<String> a = Sources.of(List.of("udev", "libusb", "udev"));
        assertEquals(List.of("udev", "libusb"), new ArrayList<>(a));
        assertSame(a, Sources.of(new LinkedHashSet<>(List.of("udev", "libusb"))));
        Set<String> b = Sources.of(List.of("libusb", "udev"));
        assertNotSame("another order is another instance", a, b);
        assertEquals("equal as sets (the Set contract)", a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a, Set.of("udev", "libusb"));
        assertTrue(a.contains("libusb"));
        assertSame(a, Sources.of(a));
    }

    @Test
    public void unionAppendsOnlyNewNamesInTheirOrder() {
        Set<String> first = Sources.of(List.of("sysfs"));
        assertEquals(List.of("sysfs", "udev", "libusb"),
                new ArrayList<>(Sources.union(first, List.of("udev", "sysfs", "libusb", "udev"))));
        assertSame(first, Sources.union(first, List.of("sysfs")));
        assertEquals(List.of("sysfs"), new ArrayList<>(first));
    }

    @Test
    public void isImmutableAndRefusesNullNames() {
        Set<String> s = Sources.of(List.of("udev"));
        assertThrows(UnsupportedOperationException.class, () -> s.add("x"));
        assertThrows(UnsupportedOperationException.class, () -> s.remove("udev"));
        assertThrows(UnsupportedOperationException.class, () -> {
            var it = s.iterator();
            it.next();
            it.remove();
        });
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> Sources.of(withNull));
        assertThrows(NullPointerException.class, () -> Sources.union(s, withNull));
    }

    @Test
    public void manyDistinctNamesDoNotGrowTheTableAndTheCommonOrderingsStayShared() {
        Set<String> common = Sources.of(List.of("libusb", "udev"));
        for (int i = 0; i < Sources.SHARED * 64; i++) {
            assertEquals(Set.of("plugin-" + i), Sources.of(List.of("plugin-" + i)));
        }
        Set<String> again = Sources.of(List.of("libusb", "udev"));
        assertEquals(common, again);
        assertSame("shared once more after its slot was taken", again, Sources.of(List.of("libusb", "udev")));
    }

    @Test
    public void anEventCarriesASharedSourceSet() {
        UsbDevice d = new UsbDevice(0x046d, 0xc52b, null, null, null, 0, 0, 0, List.of(), 0, 1, 2, "1-1", "sig");
        UsbEvent e1 = new UsbEvent("e1", "i", UsbAction.ATTACH, 0, 0, d, new LinkedHashSet<>(List.of("udev")), 0);
        UsbEvent e2 = new UsbEvent("e2", "i", UsbAction.ATTACH, 0, 0, d, Set.of("udev"), 0);
        assertSame(e1.sources(), e2.sources());
        assertEquals(Set.of(), new UsbEvent("e3", "i", UsbAction.ATTACH, 0, 0, d, null, 0).sources());
    }
}
