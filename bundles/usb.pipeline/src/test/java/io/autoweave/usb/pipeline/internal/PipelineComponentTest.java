package io.autoweave.usb.pipeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import io.autoweave.api.device.ConnectedDevice;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbTopics;
import io.autoweave.api.log.LogRecord;
import io.autoweave.eventlog.internal.EventLogComponent;
import io.autoweave.api.source.DeviceReport;

public class PipelineComponentTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final List<EventLogComponent> logs = new ArrayList<>();

    @After
    public void closeLogs() {
        logs.forEach(EventLogComponent::close);
    }

    private PipelineComponent component(Map<String, ?> config) {
        try {
            EventLogComponent log = EventLogComponent.openAt(tmp.getRoot().toPath());
            logs.add(log);
            return new PipelineComponent(PipelineSettings.configuration(config), tmp.getRoot().toPath(), log, log);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    public void aRuleSyntaxErrorAtStartRunsTheDefaultsAndNamesKeyLineAndColumn() {
        PipelineComponent c = component(Map.of("rules", new String[] { "allow id 046d:*", "block id 46d:c52b" }));
        try {
            Map<String, Long> status = c.counters();
            assertEquals(Long.valueOf(1), status.get("config.refused"));
            assertNotNull("the pipeline runs", c.instanceId());
        } finally {
            c.deactivate();
        }
    }

    @Test
    public void aReportIsPostedOnEventAdminWithTheFilterableProperties() {
        PipelineComponent c = component(Map.of());
        LiveDelivery delivery = new LiveDelivery(logs.get(logs.size() - 1), c);
        List<Event> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
        delivery.eventAdmin = new EventAdmin() {
            @Override
            public void postEvent(Event event) {
                posted.add(event);
            }

            @Override
            public void sendEvent(Event event) {
                throw new AssertionError("the pipeline must never send synchronously");
            }
        };
        try {
            c.report(DeviceReport.now("simulated", UsbAction.ATTACH, Devices.receiver("1-2")));
            waitFor(() -> posted.size() == 1, "the committed event to be posted");
            Event e = posted.get(0);
            assertEquals(UsbTopics.ATTACH, e.getTopic());
            assertEquals("046d", e.getProperty(UsbTopics.VENDOR_ID));
            assertEquals("c52b", e.getProperty(UsbTopics.PRODUCT_ID));
            assertEquals(0, e.getProperty(UsbTopics.DEVICE_CLASS));
            assertEquals(Devices.receiver("1-2").signature(), e.getProperty(UsbTopics.SIGNATURE));
            assertTrue(e.getProperty(UsbTopics.EVENT) instanceof UsbEvent);
        } finally {
            delivery.deactivate();
            c.deactivate();
        }
    }

    @Test
    public void theRegistryViewFindsADeviceBySignatureInEitherCase() {
        PipelineComponent c = component(Map.of());
        try {
            c.report(DeviceReport.now("simulated", UsbAction.ATTACH, Devices.receiver("1-2")));
            List<ConnectedDevice> all = c.connected();
            assertEquals(1, all.size());
            assertTrue(all.get(0).allowed());
            String sig = all.get(0).device().signature();
            assertEquals(all, c.find(sig.toUpperCase(Locale.ROOT)));
            assertEquals(List.of(), c.find("0".repeat(64)));
            assertEquals(List.of(), c.find(null));
        } finally {
            c.deactivate();
        }
    }

    @Test
    public void badInputIsCountedNeverThrown() {
        PipelineComponent c = component(Map.of());
        try {
            c.report(null);
            c.snapshot(null, List.of());
            c.snapshot("udev", null);
            assertEquals(3L, (long) c.counters().get("reports.rejected"));
        } finally {
            c.deactivate();
        }
    }

    @Test
    public void aSnapshotRepairsAMissedAttach() {
        PipelineComponent c = component(Map.of());
        try {
            c.snapshot("sysfs", List.of(Devices.stick("S", "2-1")));
            assertEquals(1, c.connected().size());
            assertEquals(1L, (long) c.counters().get("snapshot.repaired"));
        } finally {
            c.deactivate();
        }
    }

    @Test
    public void everyDecidedEventIsInTheLogAndTheInstanceIdSurvivesARestart() throws Exception {
        PipelineComponent c = component(Map.of());
        c.report(DeviceReport.now("simulated", UsbAction.ATTACH, Devices.receiver("1-2")));
        c.report(DeviceReport.now("udev", UsbAction.ATTACH, Devices.receiver("1-2")));
        c.deactivate();
        EventLogComponent log = logs.get(0);
        waitFor(() -> log.lastSeq() == 2, "the event and its update in the log");
        List<LogRecord> records = log.read(0, 10);
        assertEquals(LogRecord.Kind.EVENT, records.get(0).kind());
        assertEquals(Set.of("simulated"), records.get(0).event().sources());
        assertEquals(LogRecord.Kind.UPDATE, records.get(1).kind());
        assertEquals(1, records.get(1).updates());
        assertEquals(Set.of("simulated", "udev"), records.get(1).event().sources());
        String id = Files.readString(tmp.getRoot().toPath().resolve("instance-id")).trim();
        assertEquals(id, records.get(0).event().instanceId());
        log.close();
        logs.clear();

        PipelineComponent again = component(Map.of());
        again.report(DeviceReport.now("simulated", UsbAction.DETACH, Devices.receiver("1-2")));
        again.deactivate();
        EventLogComponent log2 = logs.get(0);
        waitFor(() -> log2.lastSeq() == 3, "numbering continues across the restart");
        assertEquals(id, log2.read(2, 1).get(0).event().instanceId());
    }

    @Test
    public void aRestartReconcilesWhatChangedWhileTheRuntimeWasDownThroughTheLog() throws Exception {
        Path dir = tmp.getRoot().toPath();
        PipelineComponent first = component(Map.of());
        EventLogComponent firstLog = logs.get(0);
        first.report(DeviceReport.now("udev", UsbAction.ATTACH, Devices.stick("KEEP1", "1-1")));
        first.report(DeviceReport.now("udev", UsbAction.ATTACH, Devices.stick("GONE1", "1-2")));
        waitFor(() -> firstLog.lastSeq() == 2, "both attaches committed");
        first.deactivate();
        firstLog.close();
        logs.clear();

        // second lifetime: the kept stick is still there, the other was unplugged while the runtime was down
        PipelineComponent second = component(Map.of("reconcile_grace_ms", 60_000L));
        EventLogComponent log = logs.get(0);
        try {
            assertEquals(2, second.connected().size());
            second.snapshot("sysfs", List.of(Devices.stick("KEEP1", "1-1")));
            waitFor(() -> log.lastSeq() == 3, "the reconciled detach committed");
            List<LogRecord> records = log.read(0, 10);
            LogRecord detach = records.get(2);
            assertEquals(UsbAction.DETACH, detach.event().action());
            assertEquals("GONE1", detach.event().device().serial());
            assertTrue("marked reconciled: " + detach, detach.reconciled());
            assertTrue(detach.reconciledLastSeenMillis() > 0);
            assertEquals(records.get(1).event().device().signature(), detach.event().device().signature());
            // no second attach for the device that stayed, and the log's connected set agrees with the registry
            assertEquals(1, second.connected().size());
            assertEquals(1, log.connected().size());
            assertEquals("KEEP1", log.connected().get(0).event().device().serial());
            assertTrue(Files.exists(dir.resolve("eventlog")));
        } finally {
            second.deactivate();
        }
    }
}
