package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;

import io.autoweave.itests.probe.UsbProbeActivator;
import io.autoweave.launcher.Launcher;

/**
 * The USB pipeline inside the real runtime: the simulated source driven through the real Gogo shell, the registry,
 * EventAdmin, whiteboard listeners (in a probe bundle) and the events journal the e2e harness reads.
 */
public class UsbPipelineIT {

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    /** What the probe bundle's listeners and handler received. */
    private static final BlockingQueue<Map<String, Object>> RECEIVED = new LinkedBlockingQueue<>();
    private static final List<Map<String, Object>> SEEN = new ArrayList<>();
    private static ServiceRegistration<?> queueRegistration;
    private static Bundle probe;
    private static Gogo gogo;

    @BeforeClass
    public static void installProbe() throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("autoweave.itest", "usb-probe");
        queueRegistration = RUNTIME.context().registerService(BlockingQueue.class.getName(), RECEIVED, props);
        byte[] jar = RuntimeHarness.bundle("itest.usb.probe", new String[][] {
                { "Import-Package", "org.osgi.framework;version=\"[1.8,2)\",org.osgi.service.event;version=\"[1.4,2)\","
                        + "io.autoweave.api.device;version=\"[1.1,2)\"" },
                { "Bundle-Activator", UsbProbeActivator.class.getName() } }, UsbProbeActivator.class);
        probe = RUNTIME.context().installBundle(Launcher.CORE_LOCATION_PREFIX + "itest-usb-probe",
                new ByteArrayInputStream(jar));
        probe.start();
        gogo = new Gogo(RUNTIME.context());
    }

    @AfterClass
    public static void removeProbe() throws Exception {
        gogo.close();
        probe.uninstall();
        queueRegistration.unregister();
    }

    /** Waits for a message from the probe matching {@code what}; every message is kept for later checks. */
    private static synchronized Map<String, Object> await(String description, Predicate<Map<String, Object>> what)
            throws InterruptedException {
        for (Map<String, Object> m : SEEN) {
            if (what.test(m)) {
                return m;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Map<String, Object> m = RECEIVED.poll(50, TimeUnit.MILLISECONDS);
            if (m != null) {
                SEEN.add(m);
                if (what.test(m)) {
                    return m;
                }
            }
        }
        throw new AssertionError("timed out waiting for " + description + "; seen: " + SEEN);
    }

    private static synchronized long count(Predicate<Map<String, Object>> what) {
        RECEIVED.drainTo(SEEN);
        return SEEN.stream().filter(what).count();
    }

    private static Predicate<Map<String, Object>> kind(String kind, String serial) {
        return m -> kind.equals(m.get("kind")) && serial.equals(m.get("serial"));
    }

    private static List<String> journalLines(String containing) throws Exception {
        Path file = RUNTIME.dataDir().resolve("events.jsonl");
        if (!Files.exists(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream().filter(l -> l.contains(containing)).toList();
    }

    @Test
    public void anAttachSimulatedInGogoReachesRegistryEventAdminListenersAndTheLogWithItsLateSourceAsAnUpdate()
            throws Exception {
        Object answer = gogo.run("aw:simulate attach 046d:c52b ITEST-MERGE 3-1");
        assertTrue(String.valueOf(answer), String.valueOf(answer).contains("reported by simulated"));
        gogo.run("aw:simulate --source udev attach 046d:c52b ITEST-MERGE 3-1");

        String devices = String.valueOf(gogo.run("aw:devices"));
        String row = devices.lines().filter(l -> l.contains("ITEST-MERGE")).findFirst().orElse("");
        assertTrue(devices, row.startsWith("046d:c52b") && row.contains(" 3-1 "));
        assertTrue("the registry lists both sources: " + devices, row.contains(" simulated,udev "));

        Map<String, Object> posted = await("EventAdmin attach", kind("eventadmin", "ITEST-MERGE"));
        assertEquals("autoweave/usb/ATTACH", posted.get("topic"));
        assertEquals("046d", posted.get("vendor_id"));
        assertEquals("c52b", posted.get("product_id"));
        assertEquals(0, posted.get("device_class"));
        assertEquals(64, String.valueOf(posted.get("signature")).length());
        Map<String, Object> heard = await("listener attach", kind("listener:all", "ITEST-MERGE"));
        assertEquals(posted.get("event_id"), heard.get("event_id"));
        assertEquals("listeners get the event at once, with its first source", List.of("simulated"), heard.get("sources"));

        // the export (events.jsonl, a reader of the event log): the event as decided, then an update record that
        // adds the late source to the same event
        RuntimeHarness.await("the event and its update in the events.jsonl export", 10,
                () -> uncheckedLines("ITEST-MERGE").size() == 2);
        String line = journalLines("ITEST-MERGE").get(0);
        assertTrue(line, line.contains("\"event_id\":\"" + posted.get("event_id") + "\""));
        assertTrue(line, line.contains("\"sources\":[\"simulated\"]"));
        assertTrue(line, line.contains("\"vendor_id\":\"046d\",\"product_id\":\"c52b\""));
        assertTrue(line, line.contains("\"action\":\"attach\""));
        String seq = line.replaceAll("^\\{\"seq\":(\\d+),.*$", "$1");
        String update = journalLines("ITEST-MERGE").get(1);
        assertTrue(update, update.contains("\"type\":\"update\",\"updates\":" + seq + ","));
        assertTrue(update, update.contains("\"event_id\":\"" + posted.get("event_id") + "\""));
        assertTrue(update, update.contains("\"sources\":[\"simulated\",\"udev\"]"));
        assertEquals("one event for two reports", 1, count(kind("eventadmin", "ITEST-MERGE")));
        assertNotNull(RUNTIME.context().getAllServiceReferences("io.autoweave.api.device.DeviceRegistry", null));
    }

    @Test
    public void aLoneAttachReachesAWhiteboardListenerWellWithinTheDebounceWindow() throws Exception {
        List<Double> fromCommand = new ArrayList<>();
        List<Double> fromReport = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String serial = "ITEST-LATENCY-" + i;
            long before = System.nanoTime();
            gogo.run("aw:simulate attach 1d50:6089 " + serial + " 4-" + (i + 1));
            Map<String, Object> heard = await("listener attach", kind("listener:all", serial));
            long received = (Long) heard.get("received_nanos");
            fromCommand.add((received - before) / 1e6);
            fromReport.add((received - (Long) heard.get("monotonic_nanos")) / 1e6);
            assertNotEquals("delivered off the caller's thread", Thread.currentThread().getName(), heard.get("thread"));
            assertTrue(String.valueOf(heard.get("thread")).startsWith("autoweave-usb-listener-itest.usb.probe"));
        }
        System.out.printf("[itest] attach-to-listener latency, ms from the Gogo call: %s; from the report: %s%n",
                fromCommand, fromReport);
        // the first measurement may pay class loading in this JVM (another test may have run before); the rest
        // show the steady state, and every one of them must be far from the 500 ms debounce window: the event is
        // not held back by it. How fast is measured by the benchmarks (scenario 2), not here: this machine may be
        // loaded by other work while the suite runs.
        double worstWarm = fromCommand.subList(1, fromCommand.size()).stream().mapToDouble(d -> d).max().orElseThrow();
        assertTrue("warm latency " + worstWarm + " ms must be well under the 500 ms debounce window", worstWarm < 250);
        assertTrue("even the first event must not wait for the window: " + fromCommand.get(0) + " ms",
                fromCommand.get(0) < 500);
    }

    @Test
    public void theListenerFilterPropertySelectsEventsByVendor() throws Exception {
        gogo.run("aw:simulate attach 1d50:6089 ITEST-FILTER-OTHER 5-1");
        gogo.run("aw:simulate attach 046d:c52b ITEST-FILTER-LOGI 5-2");
        await("filtered listener", kind("listener:046d", "ITEST-FILTER-LOGI"));
        // both listeners share the probe bundle's worker, in event order: had the 1d50 event passed the filter,
        // it would have arrived first
        assertEquals(0, count(kind("listener:046d", "ITEST-FILTER-OTHER")));
        assertEquals(1, count(kind("listener:all", "ITEST-FILTER-OTHER")));
    }

    @Test
    public void aReplayFilePlaysAttachAndDetachThroughGogo() throws Exception {
        Path file = RUNTIME.dataDir().resolve("replay.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"action\":\"attach\",\"vendor_id\":\"0781\",\"product_id\":\"5567\",\"serial\":\"ITEST-REPLAY\","
                        + "\"port_path\":\"6-1\",\"interface_classes\":[8]}",
                "{\"action\":\"detach\",\"vendor_id\":\"0781\",\"product_id\":\"5567\",\"serial\":\"ITEST-REPLAY\","
                        + "\"port_path\":\"6-1\",\"delay_ms\":600}"));
        Object answer = gogo.run("aw:replay " + file);
        assertEquals("replaying 2 report(s) from " + file + " over 600 ms", answer);
        await("replayed detach", m -> "eventadmin".equals(m.get("kind")) && "ITEST-REPLAY".equals(m.get("serial"))
                && "autoweave/usb/DETACH".equals(m.get("topic")));
        RuntimeHarness.await("the device leaves the registry", 5, () -> {
            try {
                return !String.valueOf(gogo.run("aw:devices")).contains("ITEST-REPLAY");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    public void theSimulatedSourceIsRegisteredAndPipelineCountersAreInGogo() throws Exception {
        // getAllServiceReferences: the system bundle does not wire to the API package, so class-checked lookups skip it
        Collection<?> refs = List.of(RUNTIME.context().getAllServiceReferences("io.autoweave.api.source.UsbSource",
                "(osgi.command.function=simulate)"));
        assertEquals(1, refs.size());
        @SuppressWarnings("unchecked")
        Map<String, Long> counters = (Map<String, Long>) gogo.run("aw:pipeline");
        assertTrue(counters.toString(), counters.containsKey("merge.events"));
        assertEquals(0L, (long) counters.get("listeners.dropped"));
    }

    private static List<String> uncheckedLines(String containing) {
        try {
            return journalLines(containing);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
