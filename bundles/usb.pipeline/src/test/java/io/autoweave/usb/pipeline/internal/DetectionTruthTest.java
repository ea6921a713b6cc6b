package io.autoweave.usb.pipeline.internal;

import static io.autoweave.usb.pipeline.internal.Devices.attach;
import static io.autoweave.usb.pipeline.internal.Devices.detach;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.rules.RuleTarget;
import io.autoweave.usb.pipeline.internal.merge.Merger;
import io.autoweave.usb.pipeline.internal.identity.Signatures;
import io.autoweave.usb.pipeline.internal.identity.EventIds;

/**
 * What the real-kernel runs found: one signature per physical device whatever each source managed to read, late
 * sources always joining their event (and never showing an update before its event), and reconciliation of the
 * connected set across process lifetimes.
 */
public class DetectionTruthTest {

    private final ManualTime time = new ManualTime();
    private final List<UsbEvent> received = new ArrayList<>();
    private final List<Merger.MergeUpdate> updates = new ArrayList<>();
    private final List<Pipeline.Reconciled> reconciled = new ArrayList<>();
    /** Event ids and update ids in the order listeners saw them. */
    private final List<String> stream = new ArrayList<>();

    private Pipeline pipeline() {
        Pipeline p = new Pipeline(PipelineSettings.from(PipelineSettings.configuration(Map.of("instance_id", "t"))),
                time, time::wallMillis, time, new EventIds(time::wallMillis, new Random(7)));
        p.addListener(e -> {
            received.add(e);
            stream.add("event " + e.eventId());
        });
        p.addUpdateListener(u -> {
            updates.add(u);
            stream.add("update " + u.eventId());
        });
        p.addReconcileListener(reconciled::add);
        return p;
    }

    /** A storage stick with a fixed serial, as each source may see it at its first report. */
    private static UsbDevice stick(String serial, String manufacturer, String product, List<Integer> interfaces,
            String port) {
        return new UsbDevice(0x46f4, 0x0001, serial, manufacturer, product, 0, 0, 0, interfaces, 0x0000, 1, 5, port,
                null);
    }

    private static List<UsbDevice> partialViews(String port) {
        return List.of(
                stick("AW1", "QEMU", "QEMU USB HARDDRIVE", List.of(8), port), // udev after the configuration is set
                stick("AW1", null, null, List.of(8), port), // libusb that may not open the device
                stick("AW1", "QEMU", null, List.of(), port), // udev before the interfaces exist
                stick("AW1", null, "QEMU USB HARDDRIVE", List.of(), port));
    }

    @Test
    public void partialViewsOfOneDeviceGiveOneSignatureInEveryOrder() {
        List<UsbDevice> views = partialViews("1-3");
        Set<String> signatures = new HashSet<>();
        for (List<UsbDevice> order : permutations(views)) {
            for (UsbDevice d : order) {
                signatures.add(Signatures.of(d));
            }
        }
        assertEquals(1, signatures.size());
    }

    @Test
    public void aFlappingStickReportedWithPartialViewsInEveryOrderKeepsOneSignatureAndEndsRight() {
        for (List<UsbDevice> order : permutations(partialViews("1-3"))) {
            received.clear();
            Pipeline p = pipeline();
            String[] sources = { "libusb", "udev" };
            int n = 0;
            for (int cycle = 0; cycle < 3; cycle++) {
                for (UsbDevice view : order) {
                    p.report(attach(sources[n % 2], view));
                    time.advanceMillis(40);
                    p.report(attach(sources[(n + 1) % 2], order.get((n + 1) % order.size())));
                    time.advanceMillis(300);
                    p.report(detach(sources[n % 2], view));
                    p.report(detach(sources[(n + 1) % 2], view));
                    time.advanceMillis(300);
                    n++;
                }
            }
            p.report(attach("libusb", order.get(0)));
            p.report(attach("udev", order.get(1)));
            time.advanceMillis(5000);
            Set<String> signatures = new HashSet<>();
            received.forEach(e -> signatures.add(e.device().signature()));
            assertEquals(order.toString(), 1, signatures.size());
            assertEquals(UsbAction.ATTACH, received.get(received.size() - 1).action());
            assertEquals(1, p.registry().size());
            for (UsbEvent e : received) {
                assertEquals("reproducible from the event's own fields", Signatures.of(e.device()),
                        e.device().signature());
            }
        }
    }

    @Test
    public void burstWithUdevSecondsBehindMergesEveryLateReportAndCountsItsLag() {
        Pipeline p = pipeline();
        for (int i = 1; i <= 6; i++) {
            p.report(attach("libusb", stick("S" + i, null, null, List.of(), "1-" + i)));
        }
        time.advanceMillis(3000);
        for (int i = 1; i <= 6; i++) {
            p.report(attach("udev", stick("S" + i, "QEMU", "HD", List.of(8), "1-" + i)));
        }
        assertEquals(6, received.size());
        assertEquals(6, updates.size());
        assertEquals(0L, (long) p.metrics().get("debounce.duplicates"));
        assertEquals(6L, (long) p.metrics().get("merge.late"));
        assertEquals(3000L, (long) p.metrics().get("merge.lag_max_ms"));
        p.registry().connected().forEach(e -> assertEquals(Set.of("libusb", "udev"), e.sources()));
    }

    @Test
    public void anUpdateNeverPrecedesItsEventAndCollapsedFlapsGetNone() {
        Pipeline p = pipeline();
        UsbDevice d = stick("AW1", null, null, List.of(), "1-3");
        p.report(attach("libusb", d)); // passes: window opens
        p.report(detach("libusb", d)); // held
        p.report(attach("libusb", d)); // held; the detach is collapsed
        p.report(detach("libusb", d)); // held; the second attach is collapsed
        p.report(attach("udev", d)); // joins the first attach (delivered): an update at once
        p.report(detach("udev", d)); // joins the collapsed detach: no update ever
        p.report(attach("udev", d)); // joins the collapsed second attach: no update ever
        p.report(detach("udev", d)); // joins the held detach: waits for it
        assertEquals(1, received.size());
        assertEquals(1, updates.size());
        time.advanceMillis(600); // the window settles: the last detach passes, then its update
        assertEquals(2, received.size());
        assertEquals(2, updates.size());
        for (int i = 0; i < stream.size(); i++) {
            if (stream.get(i).startsWith("update ")) {
                String id = stream.get(i).substring(7);
                assertTrue("update after its event: " + stream, stream.subList(0, i).contains("event " + id));
            }
        }
        assertEquals(2L, (long) p.metrics().get("merge.updates_dropped"));
    }

    @Test
    public void libusbReEnumeratingLongAfterMakesNoEventAndNoUpdate() {
        Pipeline p = pipeline();
        UsbDevice d = stick("AW1", null, null, List.of(), "1-3");
        p.report(attach("libusb", d));
        p.report(attach("udev", d));
        time.advanceMillis(60_000);
        p.report(attach("libusb", d)); // its context was re-created
        time.advanceMillis(60_000);
        assertEquals(1, received.size());
        assertEquals(1, updates.size());
        p.report(detach("udev", d));
        p.report(detach("libusb", d));
        assertEquals(2, received.size());
        assertEquals(2, updates.size());
        assertEquals(received.get(1).eventId(), updates.get(1).eventId());
    }

    // --- reconciliation across process lifetimes

    private static Pipeline.Restored restored(UsbDevice d, String attachId) {
        return new Pipeline.Restored(d, RuleTarget.ALLOW, Set.of("libusb", "udev"), attachId, 1_000L, 2_000L);
    }

    @Test
    public void restoredDevicesReportedAgainMakeNoEventGoneOnesDetachReconciledNewOnesAttach() {
        UsbDevice kept = stick("KEPT", "QEMU", "HD", List.of(8), "1-1");
        UsbDevice gone = stick("GONE", "QEMU", "HD", List.of(8), "1-2");
        UsbDevice fresh = stick("NEW", "QEMU", "HD", List.of(8), "1-3");
        Pipeline p = pipeline();
        assertEquals(2, p.restore(List.of(restored(kept, "a-kept"), restored(gone, "a-gone")),
                TimeUnit.SECONDS.toNanos(10)));
        assertEquals(2, p.registry().size());
        // the sources start: libusb enumerates, udev primes silently, sysfs snapshots
        p.report(attach("libusb", stick("KEPT", null, null, List.of(), "1-1")));
        p.report(attach("libusb", fresh));
        p.snapshot("sysfs", List.of(kept, fresh));
        time.advanceMillis(20_000);
        assertEquals(List.of(UsbAction.ATTACH, UsbAction.DETACH), received.stream().map(UsbEvent::action).toList());
        assertEquals("NEW", received.get(0).device().serial());
        UsbEvent detach = received.get(1);
        assertEquals("GONE", detach.device().serial());
        assertEquals(Set.of(Pipeline.RECONCILE_SOURCE), detach.sources());
        assertEquals(1, reconciled.size());
        assertEquals(detach.eventId(), reconciled.get(0).eventId());
        assertEquals("a-gone", reconciled.get(0).attachEventId());
        assertEquals(2_000L, reconciled.get(0).lastSeenMillis());
        assertEquals(Set.of("KEPT", "NEW"),
                Set.copyOf(p.registry().connected().stream().map(e -> e.device().serial()).toList()));
        assertEquals(0, updates.size());
        assertEquals(1L, (long) p.metrics().get("reconcile.detached"));
        assertEquals(1L, (long) p.metrics().get("reconcile.confirmed"));
        // and the kept device detaches normally later
        p.report(detach("udev", kept));
        assertEquals(UsbAction.DETACH, received.get(2).action());
        assertEquals(Set.of("NEW"), Set.copyOf(p.registry().connected().stream().map(e -> e.device().serial()).toList()));
    }

    @Test
    public void withoutAnySnapshotUnconfirmedRestoredDevicesDetachAfterTheGrace() {
        UsbDevice kept = stick("KEPT", "QEMU", "HD", List.of(8), "1-1");
        UsbDevice gone = stick("GONE", "QEMU", "HD", List.of(8), "1-2");
        Pipeline p = pipeline();
        p.restore(List.of(restored(kept, "a-kept"), restored(gone, "a-gone")), TimeUnit.SECONDS.toNanos(10));
        p.report(attach("simulated", kept));
        time.advanceMillis(9_000);
        assertEquals(0, received.size());
        time.advanceMillis(1_000);
        assertEquals(1, received.size());
        assertEquals("GONE", received.get(0).device().serial());
        assertEquals("not reported within 10000 ms", reconciled.get(0).reason());
        assertEquals(0, p.unconfirmedCount());
    }

    @Test
    public void anotherDeviceOfTheSameModelOnARestoredPortIsASwapNotAConfirmation() {
        UsbDevice before = stick("A", "QEMU", "HD", List.of(8), "1-1");
        UsbDevice after = stick("B", "QEMU", "HD", List.of(8), "1-1");
        Pipeline p = pipeline();
        p.restore(List.of(restored(before, "a-before")), TimeUnit.SECONDS.toNanos(10));
        p.report(attach("libusb", after));
        p.snapshot("sysfs", List.of(after));
        time.advanceMillis(1_000);
        assertEquals(List.of("attach B", "detach A"),
                received.stream().map(e -> e.action().wireName() + " " + e.device().serial()).toList());
        assertEquals(1, p.registry().size());
    }

    @Test
    public void aRestoredDeviceConfirmedBySeveralSourcesAndALibusbRestartStillMakesNoEvent() {
        UsbDevice kept = stick("KEPT", "QEMU", "HD", List.of(8), "1-1");
        Pipeline p = pipeline();
        p.restore(List.of(restored(kept, "a-kept")), TimeUnit.SECONDS.toNanos(10));
        p.report(attach("libusb", kept));
        p.report(attach("udev", kept));
        time.advanceMillis(30_000);
        p.report(attach("libusb", kept)); // libusb context re-created: it enumerates again
        p.snapshot("sysfs", List.of(kept));
        time.advanceMillis(30_000);
        assertEquals(0, received.size());
        assertEquals(0, updates.size());
        assertEquals(1, p.registry().size());
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        List<List<T>> out = new ArrayList<>();
        permute(new ArrayList<>(items), 0, out);
        return out;
    }

    private static <T> void permute(List<T> items, int k, List<List<T>> out) {
        if (k == items.size()) {
            out.add(List.copyOf(items));
            return;
        }
        for (int i = k; i < items.size(); i++) {
            java.util.Collections.swap(items, k, i);
            permute(items, k + 1, out);
            java.util.Collections.swap(items, k, i);
        }
    }
}
