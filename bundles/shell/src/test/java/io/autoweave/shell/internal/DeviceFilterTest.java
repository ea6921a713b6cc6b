package io.autoweave.shell.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import io.autoweave.api.device.UsbDevice;

public class DeviceFilterTest {
    private static final UsbDevice MOUSE = new UsbDevice(0x046d, 0xc52b, null, null, null, 0, 0, 0, List.of(3), 0, 1,
            2, "1-2", "ab");
    private static final UsbDevice STICK = new UsbDevice(0x0781, 0x5567, "S1", null, null, 0, 0, 0, List.of(8), 0, 1,
            3, "1-3", "cd");

    @Test
    public void vendorProductWildcardsAndClassesMatch() {
        assertTrue(DeviceFilter.parse("").matches(MOUSE));
        assertTrue(DeviceFilter.parse("046D").matches(MOUSE));
        assertFalse(DeviceFilter.parse("046d").matches(STICK));
        assertTrue(DeviceFilter.parse("046d:c52b").matches(MOUSE));
        assertTrue(DeviceFilter.parse("*:5567").matches(STICK));
        assertFalse(DeviceFilter.parse("046d:0001").matches(MOUSE));
        assertTrue("an interface class matches", DeviceFilter.parse("class=08").matches(STICK));
        assertFalse(DeviceFilter.parse("class=03").matches(STICK));
    }

    @Test
    public void badFiltersSayWhatToWrite() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceFilter.parse("46d")).getMessage()
                .contains("e.g. 046d or 046d:c52b"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceFilter.parse("class=zz")).getMessage()
                .contains("class=XX takes 2 hex digits"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceFilter.parse("1:2:3")).getMessage()
                .contains("VENDOR:PRODUCT"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DeviceFilter.parse("46.0")).getMessage()
                .contains("quote it, e.g. '046d'"));
    }
}
