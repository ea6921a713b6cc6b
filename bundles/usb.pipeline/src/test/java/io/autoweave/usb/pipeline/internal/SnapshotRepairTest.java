package io.autoweave.usb.pipeline.internal;

import static io.autoweave.usb.pipeline.internal.Devices.attach;
import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.identity.EventIds;

public class SnapshotRepairTest {

    private final ManualTime time = new ManualTime();
    private final List<UsbEvent> received = new ArrayList<>();
    private final Pipeline pipeline = new Pipeline(
            PipelineSettings.from(PipelineSettings.configuration(Map.of("instance_id", "t"))), time, time::wallMillis,
            time, new EventIds(time::wallMillis, new Random(1)));

    {
        pipeline.addListener(received::add);
    }

    @Test
    public void aDeviceTheScanShowsButTheRegistryLacksGetsAnAttach() {
        assertEquals(1, pipeline.snapshot("libusb", List.of(Devices.receiver("1-2"))));
        assertEquals(1, received.size());
        assertEquals(UsbAction.ATTACH, received.get(0).action());
        assertEquals(Set.of("libusb"), received.get(0).sources());
        assertEquals(1, pipeline.registry().size());
    }

    @Test
    public void aDeviceThisSourceReportedButTheScanLacksGetsADetach() {
        pipeline.report(attach("libusb", Devices.receiver("1-2")));
        time.advanceMillis(5000);
        assertEquals(1, pipeline.snapshot("libusb", List.of()));
        assertEquals(UsbAction.DETACH, received.get(1).action());
        assertEquals(0, pipeline.registry().size());
        assertEquals(1L, (long) pipeline.metrics().get("snapshot.repaired"));
    }

    @Test
    public void devicesOnlyOtherSourcesReportedAreLeftAlone() {
        pipeline.report(attach("udev", Devices.receiver("1-2")));
        time.advanceMillis(5000);
        assertEquals(0, pipeline.snapshot("libusb", List.of()));
        assertEquals(1, pipeline.registry().size());
    }

    @Test
    public void aMatchingScanChangesNothingEvenWhenItKnowsMoreThanTheFirstReport() {
        pipeline.report(attach("libusb", Devices.withoutStrings(Devices.receiver("1-2"))));
        time.advanceMillis(5000);
        assertEquals(0, pipeline.snapshot("libusb", List.of(Devices.receiver("1-2"))));
        assertEquals(1, received.size());
    }

    @Test
    public void anotherDeviceOnTheSamePortIsASwap() {
        pipeline.report(attach("udev", Devices.receiver("1-2")));
        time.advanceMillis(5000);
        assertEquals(2, pipeline.snapshot("udev", List.of(Devices.stick("S1", "1-2"))));
        assertEquals(List.of(UsbAction.ATTACH, UsbAction.DETACH, UsbAction.ATTACH),
                received.stream().map(UsbEvent::action).toList());
        assertEquals(0x0781, pipeline.registry().atPort("1-2").orElseThrow().device().vendorId());
    }
}
