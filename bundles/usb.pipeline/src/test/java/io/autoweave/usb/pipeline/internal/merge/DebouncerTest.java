package io.autoweave.usb.pipeline.internal.merge;

import static org.junit.Assert.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.identity.DeviceKey;
import io.autoweave.usb.pipeline.internal.ManualTime;
import io.autoweave.usb.pipeline.internal.Devices;

public class DebouncerTest {

    private final ManualTime time = new ManualTime();
    private final List<UsbEvent> out = new ArrayList<>();
    private final List<String> flapReports = new ArrayList<>();
    private final Debouncer debouncer = new Debouncer(TimeUnit.MILLISECONDS.toNanos(500), time, out::add,
            (key, pairs) -> flapReports.add(key + "=" + pairs));
    private int seq;

    private UsbEvent event(UsbAction action, UsbDevice device) {
        return new UsbEvent("e" + (++seq), "i", action, time.wallMillis(), time.getAsLong(), device, Set.of("udev"), 0);
    }

    private void feed(UsbAction action, UsbDevice device) {
        debouncer.accept(event(action, device));
    }

    @Test
    public void firstEventPassesImmediately() {
        feed(UsbAction.ATTACH, Devices.receiver("1-2"));
        assertEquals(1, out.size());
        assertEquals(0, out.get(0).flapCount());
    }

    @Test
    public void flappingThatEndsDetachedEmitsOneDetachAtWindowEndWithTheCollapsedPairs() {
        UsbDevice d = Devices.receiver("1-2");
        for (int i = 0; i < 100; i++) {
            feed(UsbAction.ATTACH, d);
            time.advanceMillis(1);
            feed(UsbAction.DETACH, d);
            time.advanceMillis(1);
        }
        assertEquals("only the leading attach so far", 1, out.size());
        time.advanceMillis(500);
        assertEquals(2, out.size());
        UsbEvent last = out.get(1);
        assertEquals(UsbAction.DETACH, last.action());
        assertEquals("e200", last.eventId());
        assertEquals(99, last.flapCount());
        assertEquals(199, debouncer.suppressed.sum());
        assertEquals(0, debouncer.trackedDevices());
    }

    @Test
    public void flappingThatEndsAttachedEmitsNothingMoreAndReportsTheFlaps() {
        UsbDevice d = Devices.receiver("1-2");
        feed(UsbAction.ATTACH, d);
        for (int i = 0; i < 10; i++) {
            feed(UsbAction.DETACH, d);
            feed(UsbAction.ATTACH, d);
        }
        time.advanceMillis(500);
        assertEquals(1, out.size());
        assertEquals(UsbAction.ATTACH, out.get(0).action());
        assertEquals(List.of(DeviceKey.of(d) + "=10"), flapReports);
        assertEquals(10, debouncer.flapPairs.sum());
    }

    @Test
    public void aSingleDetachWithinTheWindowIsEmittedAtWindowEndWithoutFlaps() {
        UsbDevice d = Devices.receiver("1-2");
        feed(UsbAction.ATTACH, d);
        time.advanceMillis(100);
        feed(UsbAction.DETACH, d);
        assertEquals(1, out.size());
        time.advanceMillis(399);
        assertEquals(1, out.size());
        time.advanceMillis(1);
        assertEquals(2, out.size());
        assertEquals(0, out.get(1).flapCount());
    }

    @Test
    public void eachDeviceHasItsOwnWindow() {
        UsbDevice a = Devices.receiver("1-2");
        UsbDevice b = Devices.stick("S1", "1-3");
        feed(UsbAction.ATTACH, a);
        feed(UsbAction.DETACH, a); // a is now in its window
        feed(UsbAction.ATTACH, b);
        assertEquals("b is not held back by a's window", 2, out.size());
        assertEquals(b, out.get(1).device());
    }

    @Test
    public void sameSignatureOnAnotherPortIsAnotherDevice() {
        UsbDevice p1 = Devices.stick(null, "1-1");
        UsbDevice p2 = Devices.stick(null, "1-2");
        feed(UsbAction.ATTACH, p1);
        feed(UsbAction.ATTACH, p2);
        assertEquals(2, out.size());
    }

    @Test
    public void repeatedAttachOfAnAttachedDeviceIsADuplicate() {
        UsbDevice d = Devices.receiver("1-2");
        feed(UsbAction.ATTACH, d);
        time.advanceMillis(600);
        feed(UsbAction.ATTACH, d);
        assertEquals(1, out.size());
        assertEquals(1, debouncer.duplicates.sum());
    }

    @Test
    public void newActionAfterTheWindowPassesImmediatelyAgain() {
        UsbDevice d = Devices.receiver("1-2");
        feed(UsbAction.ATTACH, d);
        time.advanceMillis(600);
        feed(UsbAction.DETACH, d);
        assertEquals(2, out.size());
        time.advanceMillis(600);
        feed(UsbAction.ATTACH, d);
        assertEquals(3, out.size());
    }

    @Test
    public void settleAllDeliversFinalStatesWithoutWaiting() {
        UsbDevice d = Devices.receiver("1-2");
        feed(UsbAction.ATTACH, d);
        feed(UsbAction.DETACH, d);
        debouncer.settleAll();
        assertEquals(2, out.size());
        assertEquals(0, debouncer.openWindows());
        time.advanceMillis(1000);
        assertEquals("the cancelled timer does not emit again", 2, out.size());
    }

    @Test(expected = IllegalArgumentException.class)
    public void zeroWindowIsRejected() {
        new Debouncer(0, time, out::add, null);
    }
}
