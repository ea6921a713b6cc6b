package io.autoweave.usb.pipeline.internal.merge;

import static io.autoweave.usb.pipeline.internal.Devices.attach;
import static io.autoweave.usb.pipeline.internal.Devices.detach;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.identity.DeviceKey;
import io.autoweave.usb.pipeline.internal.ManualTime;
import io.autoweave.usb.pipeline.internal.Devices;

public class MergerTest {

    private final ManualTime time = new ManualTime();
    private final List<UsbEvent> out = new ArrayList<>();
    private final List<Merger.MergeUpdate> updates = new ArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Merger merger = new Merger(TimeUnit.MILLISECONDS.toNanos(1500), time, time::wallMillis,
            () -> "e" + ids.incrementAndGet(), "inst", out::add, updates::add);

    @Test
    public void firstReportIsEmittedAtOnceWithoutWaitingForTheWindow() {
        assertTrue(merger.offer(attach("udev", Devices.receiver("1-2"))));
        assertEquals(1, out.size());
        UsbEvent e = out.get(0);
        assertEquals(UsbAction.ATTACH, e.action());
        assertEquals(Set.of("udev"), e.sources());
        assertEquals("inst", e.instanceId());
        assertEquals(time.getAsLong(), e.monotonicNanos());
        assertEquals(0, time.pending()); // no timer was needed to emit
    }

    @Test
    public void secondSourceWithinTheWindowOnlyAddsItsSource() {
        merger.offer(attach("udev", Devices.receiver("1-2")));
        time.advanceMillis(40);
        assertEquals(false, merger.offer(attach("libusb", Devices.receiver("1-2"))));
        assertEquals(1, out.size());
        assertEquals(1, updates.size());
        assertEquals("e1", updates.get(0).eventId());
        assertEquals(List.of("udev", "libusb"), List.copyOf(updates.get(0).sources()));
        assertEquals(1, merger.merged.sum());
        assertEquals(1, merger.emitted.sum());
    }

    @Test
    public void fourSourcesMakeOneEventAndThreeUpdates() {
        for (String s : List.of("libusb", "udev", "sysfs", "simulated")) {
            merger.offer(attach(s, Devices.receiver("1-2")));
            time.advanceMillis(100);
        }
        assertEquals(1, out.size());
        assertEquals(Set.of("libusb", "udev", "sysfs", "simulated"), updates.get(2).sources());
    }

    @Test
    public void aReportAfterTheWindowStillJoinsTheAttachInForceAndIsCountedLate() {
        merger.offer(attach("libusb", Devices.receiver("1-2")));
        time.advanceMillis(3200); // udev trailing a burst on a loaded machine
        assertEquals(false, merger.offer(attach("udev", Devices.receiver("1-2"))));
        assertEquals(1, out.size());
        assertEquals(1, updates.size());
        assertTrue(updates.get(0).late());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(3200), updates.get(0).lagNanos());
        assertEquals(1, merger.lateMerges.sum());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(3200), merger.maxLagNanos.get());
    }

    @Test
    public void aBurstOfSixDevicesWithUdevSecondsBehindGivesSixEventsWithBothSources() {
        for (int i = 1; i <= 6; i++) {
            merger.offer(attach("libusb", Devices.stick("S" + i, "1-" + i)));
        }
        time.advanceMillis(4000);
        for (int i = 6; i >= 1; i--) { // and in another order
            merger.offer(attach("udev", Devices.stick("S" + i, "1-" + i)));
        }
        assertEquals(6, out.size());
        assertEquals(6, updates.size());
        for (Merger.MergeUpdate u : updates) {
            assertEquals(Set.of("libusb", "udev"), u.sources());
        }
    }

    @Test
    public void aLateDetachJoinsItsDetachEvenWhenTheFastSourceIsAlreadyAnActionFurther() {
        merger.offer(attach("libusb", Devices.receiver("1-2")));
        merger.offer(attach("udev", Devices.receiver("1-2")));
        merger.offer(detach("libusb", Devices.receiver("1-2")));
        merger.offer(attach("libusb", Devices.receiver("1-2")));
        time.advanceMillis(2500); // beyond the window: udev still owes one detach and one attach
        merger.offer(detach("udev", Devices.receiver("1-2")));
        merger.offer(attach("udev", Devices.receiver("1-2")));
        assertEquals(3, out.size());
        assertEquals(List.of("e1", "e2", "e3"), updates.stream().map(Merger.MergeUpdate::eventId).toList());
    }

    @Test
    public void aSourceRepeatingTheStateItAlreadyReportedWhileOthersLagMakesNoEvent() {
        // libusb re-enumerating after its context was re-created, udev (live) not caught up yet
        merger.offer(attach("udev", Devices.stick("OTHER", "3-1")));
        merger.offer(attach("libusb", Devices.receiver("1-2")));
        time.advanceMillis(60_000);
        assertEquals(false, merger.offer(attach("libusb", Devices.receiver("1-2"))));
        assertEquals(2, out.size());
        assertEquals(1, merger.repeats.sum());
    }

    @Test
    public void aSourceBlindForLongerThanTheHorizonStartsAfreshInsteadOfJoiningHistory() {
        // udev alone saw attach, detach; libusb was blind. Long after, the device comes back: libusb must not fold
        // its new attach into the old one
        merger.offer(attach("udev", Devices.receiver("1-2")));
        merger.offer(detach("udev", Devices.receiver("1-2")));
        time.advanceMillis(Merger.horizonFor(TimeUnit.MILLISECONDS.toNanos(1500)) / 1_000_000 + 1);
        assertTrue(merger.offer(attach("libusb", Devices.receiver("1-2"))));
        assertEquals(3, out.size());
    }

    @Test
    public void mergesByPortEvenWhenTheLateSourceKnowsMoreAndFirstReportIdentityWins() {
        UsbDevice bare = Devices.withoutStrings(Devices.receiver("1-2"));
        merger.offer(attach("libusb", bare));
        merger.offer(attach("udev", Devices.receiver("1-2")));
        assertEquals(1, out.size());
        assertNull("the first report's identity is the event's", out.get(0).device().serial());
        assertEquals("ABC123", updates.get(0).reported().serial());
        assertEquals(DeviceKey.of(out.get(0).device()), updates.get(0).key());
    }

    @Test
    public void mergesBySignatureWhenAPortIsUnknown() {
        merger.offer(attach("udev", Devices.receiver("1-2")));
        merger.offer(attach("libusb", Devices.receiver(null)));
        assertEquals(1, out.size());
    }

    @Test
    public void differentDevicesOnDifferentPortsAreNotMerged() {
        merger.offer(attach("udev", Devices.stick(null, "1-1")));
        merger.offer(attach("libusb", Devices.stick(null, "1-2")));
        assertEquals(2, out.size());
    }

    @Test
    public void attachAndDetachOfTheSamePortAreSeparateActions() {
        merger.offer(attach("udev", Devices.receiver("1-2")));
        merger.offer(detach("udev", Devices.receiver("1-2")));
        assertEquals(2, out.size());
        assertEquals(UsbAction.DETACH, out.get(1).action());
    }

    @Test
    public void aRepeatFromTheSameSourceIsANewPhysicalActionNotAMerge() {
        // attach, detach, attach by one source within the window: the second attach is a flap, not a duplicate
        merger.offer(attach("udev", Devices.receiver("1-2")));
        merger.offer(detach("udev", Devices.receiver("1-2")));
        merger.offer(attach("udev", Devices.receiver("1-2")));
        assertEquals(3, out.size());
    }

    @Test
    public void aLateSourceJoinsTheEarliestActionItHasNotReported() {
        // udev is fast: attach, detach, attach; libusb lags and reports its first attach afterwards
        merger.offer(attach("udev", Devices.receiver("1-2")));
        merger.offer(detach("udev", Devices.receiver("1-2")));
        merger.offer(attach("udev", Devices.receiver("1-2")));
        merger.offer(attach("libusb", Devices.receiver("1-2")));
        assertEquals(3, out.size());
        assertEquals("e1", updates.get(0).eventId());
    }

    @Test
    public void keptActionsAreBoundedAttachesInForceStayUntilTheyAreNoLongerLast() {
        merger.offer(attach("libusb", Devices.stick("X", "3-1"))); // libusb is a live source from now on
        merger.offer(attach("udev", Devices.stick("X", "3-1"))); // complete: gone a window later
        for (int i = 0; i < 50; i++) {
            merger.offer(attach("udev", Devices.stick("S" + i, "1-" + i)));
        }
        time.advanceMillis(60_000);
        assertEquals("still attached: a late source may still report them", 50, merger.openActions());
        for (int i = 0; i < 50; i++) {
            merger.offer(detach("udev", Devices.stick("S" + i, "1-" + i)));
        }
        time.advanceMillis(60_000);
        assertEquals(0, merger.openActions());
        for (int i = 0; i < 20; i++) { // a port flapping while libusb lags keeps at most HISTORY actions
            merger.offer(attach("udev", Devices.stick("F", "2-1")));
            merger.offer(detach("udev", Devices.stick("F", "2-1")));
        }
        assertEquals(Merger.HISTORY, merger.openActions());
        for (int i = 0; i < Merger.HISTORY / 2; i++) { // libusb catches up on what is kept: past the window, the last stays
            merger.offer(attach("libusb", Devices.stick("F", "2-1")));
            merger.offer(detach("libusb", Devices.stick("F", "2-1")));
        }
        time.advanceMillis(1500);
        assertEquals("every source reported them: nothing is kept", 0, merger.openActions());
    }

    @Test
    public void zeroWindowMergesNothing() {
        Merger none = new Merger(0, time, time::wallMillis, () -> "x" + ids.incrementAndGet(), "i", out::add, null);
        none.offer(attach("udev", Devices.receiver("1-2")));
        none.offer(attach("libusb", Devices.receiver("1-2")));
        assertEquals(2, out.size());
    }

    @Test(expected = IllegalArgumentException.class)
    public void negativeWindowIsRejected() {
        new Merger(-1, time, time::wallMillis, () -> "x", "i", out::add, null);
    }

    @Test
    public void aSourceThatSkippedActionsOfAFlappingDeviceJoinsTheEnumerationItSawNotAnOlderOne() {
        // udev reports every cycle of a flapping keyboard (a new bus address each time); libusb, seconds behind,
        // saw only the last enumeration: its attach belongs to that one
        for (int address = 31; address <= 34; address++) {
            merger.offer(attach("udev", Devices.at(Devices.receiver("1-1"), "1-1", 1, address)));
            time.advanceMillis(300);
            if (address < 34) {
                merger.offer(detach("udev", Devices.at(Devices.receiver("1-1"), "1-1", 1, address)));
                time.advanceMillis(300);
            }
        }
        assertEquals(7, out.size());
        time.advanceMillis(5000);
        assertEquals(false, merger.offer(attach("libusb", Devices.at(Devices.receiver("1-1"), "1-1", 1, 34))));
        assertEquals(1, updates.size());
        assertEquals("the final attach (address 34), not the first one", out.get(6).eventId(),
                updates.get(0).eventId());
    }

    @Test
    public void aSourceAheadOfAnotherIsListedOnTheEnumerationItSawWhenTheOtherReportsIt() {
        // seen on a real kernel: udev reports cycle 23; libusb, having skipped it, reports the attach of cycle 24
        // (joined by order to 23, the earliest open attach); then udev reports 23's detach and 24's attach
        UsbDevice at23 = Devices.at(Devices.receiver("1-1"), "1-1", 1, 23);
        UsbDevice at24 = Devices.at(Devices.receiver("1-1"), "1-1", 1, 24);
        merger.offer(attach("udev", at23));
        time.advanceMillis(200);
        assertEquals(false, merger.offer(attach("libusb", at24)));
        time.advanceMillis(200);
        merger.offer(detach("udev", at23));
        time.advanceMillis(20);
        assertEquals(true, merger.offer(attach("udev", at24)));
        assertEquals(3, out.size());
        assertEquals("the attach of cycle 24 lists the source that reported it first", List.of("libusb", "udev"),
                List.copyOf(out.get(2).sources()));
        // libusb, catching up, reports 24's detach: it joins the detach udev reports for 24
        merger.offer(detach("udev", at24));
        assertEquals(false, merger.offer(detach("libusb", at24)));
        assertEquals(List.of("udev", "libusb"), List.copyOf(updates.get(updates.size() - 1).sources()));
        assertEquals(out.get(3).eventId(), updates.get(updates.size() - 1).eventId());
    }
}
