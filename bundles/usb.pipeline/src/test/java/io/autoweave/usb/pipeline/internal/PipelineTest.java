package io.autoweave.usb.pipeline.internal;

import static io.autoweave.usb.pipeline.internal.Devices.attach;
import static io.autoweave.usb.pipeline.internal.Devices.detach;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.sources.ReplayPlayer;
import io.autoweave.usb.pipeline.internal.sources.ReplayParser;
import io.autoweave.usb.pipeline.internal.rules.RuleTarget;
import io.autoweave.usb.pipeline.internal.registry.DeviceRegistry;
import io.autoweave.usb.pipeline.internal.merge.Merger;
import io.autoweave.usb.pipeline.internal.identity.EventIds;
import io.autoweave.usb.pipeline.internal.identity.DeviceKey;

public class PipelineTest {

    private final ManualTime time = new ManualTime();
    private final List<UsbEvent> received = new ArrayList<>();
    private final List<Merger.MergeUpdate> updates = new ArrayList<>();

    private Pipeline pipeline(Map<String, ?> config) {
        Pipeline p = new Pipeline(PipelineSettings.from(PipelineSettings.configuration(config)), time,
                time::wallMillis, time, new EventIds(time::wallMillis, new Random(42)));
        p.addListener(received::add);
        p.addUpdateListener(updates::add);
        return p;
    }

    private Pipeline pipeline() {
        return pipeline(Map.of("instance_id", "test-instance"));
    }

    @Test
    public void aLoneAttachReachesTheListenerSynchronouslyWithoutWaitingForAnyWindow() {
        Pipeline p = pipeline();
        p.report(attach("udev", Devices.receiver("1-2")));
        assertEquals(1, received.size());
        UsbEvent e = received.get(0);
        assertEquals(UsbAction.ATTACH, e.action());
        assertEquals("test-instance", e.instanceId());
        assertEquals(Devices.receiver("1-2").signature(), e.device().signature());
        assertEquals(time.getAsLong(), e.monotonicNanos());
        assertEquals(time.wallMillis(), e.timestampMillis());
        assertEquals(7, UUIDs.version(e.eventId()));
        assertEquals(1, p.registry().size());
    }

    @Test
    public void twoSourcesReportingOneAttachGiveOneEventListingBothSources() {
        Pipeline p = pipeline();
        p.report(attach("libusb", Devices.receiver("1-2")));
        time.advanceMillis(30);
        p.report(attach("udev", Devices.receiver("1-2")));
        time.advanceMillis(5000);
        assertEquals("exactly one event", 1, received.size());
        assertEquals(Set.of("libusb"), received.get(0).sources());
        assertEquals(1, updates.size());
        assertEquals(received.get(0).eventId(), updates.get(0).eventId());
        assertEquals(Set.of("libusb", "udev"), updates.get(0).sources());
        assertEquals(Set.of("libusb", "udev"), p.registry().connected().get(0).sources());
        assertEquals(1L, (long) p.metrics().get("merge.sources_merged"));
    }

    @Test
    public void hundredFlapsEndDetachedWithTheRightFinalStateAndCounts() {
        Pipeline p = pipeline();
        UsbDevice d = Devices.receiver("1-2");
        for (int i = 0; i < 100; i++) {
            p.report(attach("udev", d));
            time.advanceMillis(1);
            p.report(detach("udev", d));
            time.advanceMillis(1);
        }
        time.advanceMillis(500);
        assertEquals(2, received.size());
        assertEquals(UsbAction.ATTACH, received.get(0).action());
        assertEquals(UsbAction.DETACH, received.get(1).action());
        assertEquals(99, received.get(1).flapCount());
        assertEquals(0, p.registry().size());
        Map<String, Long> m = p.metrics();
        assertEquals(200L, (long) m.get("reports"));
        assertEquals(200L, (long) m.get("merge.events"));
        assertEquals(199L, (long) m.get("debounce.suppressed"));
        assertEquals(99L, (long) m.get("debounce.flap_pairs"));
    }

    @Test
    public void hundredFlapsEndingAttachedLeaveTheDeviceConnectedWithItsFlapsRecorded() {
        Pipeline p = pipeline();
        UsbDevice d = Devices.receiver("1-2");
        p.report(attach("udev", d));
        for (int i = 0; i < 100; i++) {
            time.advanceMillis(1);
            p.report(detach("udev", d));
            time.advanceMillis(1);
            p.report(attach("udev", d));
        }
        time.advanceMillis(500);
        assertEquals(1, received.size());
        assertEquals(UsbAction.ATTACH, received.get(0).action());
        DeviceRegistry.Entry entry = p.registry().find(DeviceKey.of(d)).orElseThrow();
        assertEquals(100, entry.flapCount());
    }

    @Test
    public void flappingOneDeviceDoesNotDelayAnother() {
        Pipeline p = pipeline();
        UsbDevice flappy = Devices.receiver("1-2");
        p.report(attach("udev", flappy));
        p.report(detach("udev", flappy));
        p.report(attach("udev", Devices.stick("S", "1-3")));
        assertEquals(2, received.size());
        assertEquals("1-3", received.get(1).device().portPath());
    }

    @Test
    public void detachFromASourceThatKnowsMoreFindsTheAttachByPort() {
        Pipeline p = pipeline();
        UsbDevice bare = Devices.withoutStrings(Devices.receiver("1-2"));
        p.report(attach("libusb", bare));
        time.advanceMillis(5000);
        p.report(detach("udev", Devices.receiver("1-2")));
        assertEquals(2, received.size());
        assertEquals(received.get(0).device().signature(), received.get(1).device().signature());
        assertEquals(0, p.registry().size());
        assertEquals(1L, (long) p.metrics().get("detach.attributed"));
    }

    @Test
    public void detachWithoutPortIsAttributedByItsSignature() {
        Pipeline p = pipeline();
        p.report(attach("udev", Devices.receiver("1-2")));
        time.advanceMillis(5000);
        p.report(detach("libusb", Devices.receiver(null)));
        assertEquals(0, p.registry().size());
        assertEquals("1-2", received.get(1).device().portPath());
    }

    @Test
    public void laterRicherReportFillsTheRegistryButNotTheEvent() {
        Pipeline p = pipeline();
        p.report(attach("libusb", Devices.withoutStrings(Devices.receiver("1-2"))));
        p.report(attach("udev", Devices.receiver("1-2")));
        assertEquals(null, received.get(0).device().serial());
        assertEquals("ABC123", p.registry().connected().get(0).enriched().serial());
    }

    @Test
    public void blockedDevicesAreRegisteredButNeverDelivered() {
        Pipeline p = pipeline(Map.of("rules", new String[] { "block class 08", "allow id 046d:*" },
                "default_target", "block"));
        p.report(attach("udev", Devices.stick("S", "1-1")));
        p.report(attach("udev", Devices.receiver("1-2")));
        assertEquals(1, received.size());
        assertEquals(0x046d, received.get(0).device().vendorId());
        assertEquals(RuleTarget.BLOCK, p.registry().atPort("1-1").orElseThrow().target());
        time.advanceMillis(5000);
        p.report(detach("udev", Devices.stick("S", "1-1")));
        assertEquals(1, received.size());
        assertEquals(2L, (long) p.metrics().get("rules.blocked"));
    }

    @Test
    public void aFailingListenerDoesNotStopTheOthers() {
        Pipeline p = pipeline();
        List<UsbEvent> second = new ArrayList<>();
        p.addListener(e -> {
            throw new IllegalStateException("boom");
        });
        p.addListener(second::add);
        p.report(attach("udev", Devices.receiver("1-2")));
        assertEquals(1, second.size());
        assertEquals(1L, (long) p.metrics().get("listener.failures"));
    }

    @Test
    public void everyEventHasAUniqueTimeOrderedId() {
        Pipeline p = pipeline();
        for (int i = 0; i < 50; i++) {
            p.report(attach("udev", Devices.stick("S" + i, "1-" + i)));
        }
        Set<String> ids = new HashSet<>();
        String previous = "";
        for (UsbEvent e : received) {
            assertTrue(ids.add(e.eventId()));
            assertTrue(e.eventId().compareTo(previous) > 0);
            previous = e.eventId();
        }
    }

    @Test
    public void closeSettlesOpenWindowsSoListenersHoldFinalStates() {
        Pipeline p = pipeline();
        UsbDevice d = Devices.receiver("1-2");
        p.report(attach("udev", d));
        p.report(detach("udev", d));
        p.close();
        assertEquals(2, received.size());
        assertFalse(p.registry().find(DeviceKey.of(d)).isPresent());
    }

    @Test
    public void replayedFileDrivesThePipelineOnTheManualClock() {
        Pipeline p = pipeline();
        List<ReplayParser.Step> steps = ReplayParser.parse(String.join("\n",
                "{\"action\":\"attach\",\"vendor_id\":\"046d\",\"product_id\":\"c52b\",\"port_path\":\"1-2\"}",
                "{\"action\":\"attach\",\"vendor_id\":\"046d\",\"product_id\":\"c52b\",\"port_path\":\"1-2\","
                        + "\"source\":\"udev\",\"delay_ms\":20}",
                "{\"action\":\"detach\",\"vendor_id\":\"046d\",\"product_id\":\"c52b\",\"port_path\":\"1-2\","
                        + "\"delay_ms\":2000}"));
        ReplayPlayer.play(steps, time, p::report);
        time.advanceMillis(0);
        assertEquals(1, received.size());
        time.advanceMillis(20);
        assertEquals(1, updates.size());
        time.advanceMillis(1999);
        assertEquals(1, received.size());
        time.advanceMillis(1);
        assertEquals(2, received.size());
        assertNotEquals(received.get(0).eventId(), received.get(1).eventId());
    }

    /** Reads the version nibble of a UUID string. */
    private static final class UUIDs {
        static int version(String id) {
            return java.util.UUID.fromString(id).version();
        }
    }
}
