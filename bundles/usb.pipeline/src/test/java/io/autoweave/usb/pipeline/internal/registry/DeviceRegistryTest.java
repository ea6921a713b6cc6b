package io.autoweave.usb.pipeline.internal.registry;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Set;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.rules.RuleTarget;
import io.autoweave.usb.pipeline.internal.identity.DeviceKey;
import io.autoweave.usb.pipeline.internal.Devices;

public class DeviceRegistryTest {

    private final DeviceRegistry registry = new DeviceRegistry();

    private static UsbEvent event(String id, UsbAction action, UsbDevice d, long nanos) {
        return new UsbEvent(id, "i", action, 1000 + nanos, nanos, d, Set.of("udev"), 0);
    }

    @Test
    public void attachRecordsWhatAndSinceWhenDetachRemoves() {
        UsbDevice d = Devices.receiver("1-2");
        registry.apply(event("e1", UsbAction.ATTACH, d, 5), RuleTarget.ALLOW);
        DeviceRegistry.Entry e = registry.find(DeviceKey.of(d)).orElseThrow();
        assertEquals(1005, e.sinceMillis());
        assertEquals("e1", e.attachEventId());
        assertEquals(RuleTarget.ALLOW, e.target());
        registry.apply(event("e2", UsbAction.DETACH, d, 9), RuleTarget.ALLOW);
        assertFalse(registry.find(DeviceKey.of(d)).isPresent());
        assertEquals(0, registry.size());
    }

    @Test
    public void identicalSerialLessDevicesOnTwoPortsAreTwoEntries() {
        UsbDevice a = Devices.stick(null, "1-1");
        UsbDevice b = Devices.stick(null, "1-2");
        registry.apply(event("e1", UsbAction.ATTACH, a, 1), RuleTarget.ALLOW);
        registry.apply(event("e2", UsbAction.ATTACH, b, 2), RuleTarget.ALLOW);
        assertEquals(2, registry.withSignature(a.signature()).size());
        assertEquals("1-2", registry.atPort("1-2").orElseThrow().key().portPath());
        registry.apply(event("e3", UsbAction.DETACH, a, 3), RuleTarget.ALLOW);
        assertEquals(1, registry.size());
        assertTrue(registry.atPort("1-2").isPresent());
    }

    @Test
    public void connectedListsOldestFirst() {
        registry.apply(event("e1", UsbAction.ATTACH, Devices.stick("B", "2"), 20), RuleTarget.ALLOW);
        registry.apply(event("e2", UsbAction.ATTACH, Devices.stick("A", "1"), 10), RuleTarget.BLOCK);
        assertEquals("e2", registry.connected().get(0).attachEventId());
    }

    @Test
    public void enrichFillsOnlyMissingFieldsAndAddsSources() {
        UsbDevice bare = Devices.withoutStrings(Devices.receiver("1-2"));
        registry.apply(event("e1", UsbAction.ATTACH, bare, 1), RuleTarget.ALLOW);
        registry.enrich(DeviceKey.of(bare), Devices.receiver("1-2"), Set.of("libusb", "udev"));
        DeviceRegistry.Entry e = registry.find(DeviceKey.of(bare)).orElseThrow();
        assertEquals("ABC123", e.enriched().serial());
        assertEquals("Logitech", e.enriched().manufacturer());
        assertEquals("the key keeps the first signature", bare.signature(), e.enriched().signature());
        assertEquals(null, e.device().serial());
        assertEquals(Set.of("udev", "libusb"), e.sources());
    }

    @Test
    public void enrichNeverOverwritesWhatTheFirstReportSaid() {
        UsbDevice d = Devices.receiver("1-2");
        registry.apply(event("e1", UsbAction.ATTACH, d, 1), RuleTarget.ALLOW);
        registry.enrich(DeviceKey.of(d), Devices.withSerial(d, "OTHER"), Set.of("sysfs"));
        assertEquals("ABC123", registry.find(DeviceKey.of(d)).orElseThrow().enriched().serial());
    }

    @Test
    public void enrichAndFlapsForAnUnknownDeviceAreIgnored() {
        UsbDevice d = Devices.receiver("1-2");
        registry.enrich(DeviceKey.of(d), d, Set.of("udev"));
        registry.recordFlaps(DeviceKey.of(d), 3);
        assertEquals(0, registry.size());
    }

    @Test
    public void flapsAccumulateOnTheEntry() {
        UsbDevice d = Devices.receiver("1-2");
        registry.apply(event("e1", UsbAction.ATTACH, d, 1), RuleTarget.ALLOW);
        registry.recordFlaps(DeviceKey.of(d), 3);
        registry.recordFlaps(DeviceKey.of(d), 2);
        assertEquals(5, registry.find(DeviceKey.of(d)).orElseThrow().flapCount());
    }
}
