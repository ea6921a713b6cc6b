package io.autoweave.usb.pipeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.source.DeviceReport;

public class EventHistoryStoreTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private PipelineComponent pipeline(EventHistoryStore history) {
        return new PipelineComponent(PipelineSettings.configuration(Map.of("merge_window_ms", 0L,
                "debounce_window_ms", 1L)), tmp.getRoot().toPath(), history);
    }

    private static void plug(PipelineComponent p, int product, UsbAction action) {
        p.report(DeviceReport.now("simulated", action, Signatures.sign(new UsbDevice(0x046d, product, "S" + product,
                "Logitech", "Thing", 0, 1, 2, List.of(3), 0x0100, 1, product, "1-" + product, null))));
    }

    private static List<Long> sequences(List<HistoryEvent> events) {
        return events.stream().map(HistoryEvent::sequence).toList();
    }

    @Test
    public void eventsAreNumberedInDeliveryOrderAndOlderOnesFallOutOfTheRing() {
        EventHistoryStore h = new EventHistoryStore(3, tmp.getRoot().toPath().resolve("events.jsonl"));
        assertEquals(0, h.newest());
        assertEquals(1, h.oldest());
        PipelineComponent p = pipeline(h);
        for (int i = 1; i <= 5; i++) {
            plug(p, i, UsbAction.ATTACH);
        }
        p.deactivate();
        assertEquals(5, h.newest());
        assertEquals("capacity 3 keeps the newest three", 3, h.oldest());
        assertEquals(List.of(4L, 5L), sequences(h.after(3, 10)));
        assertEquals("an older start begins at the oldest kept", List.of(3L, 4L, 5L), sequences(h.after(0, 10)));
        assertEquals(List.of(3L), sequences(h.after(1, 1)));
        assertTrue(h.after(5, 10).isEmpty());
        assertEquals(0x0005, h.recent(h.after(4, 1).get(0).event().device().signature(), 5).get(0).event().device()
                .productId());
    }

    @Test
    public void aRestartContinuesTheSequenceFromTheJournalWithTheSameEvents() throws Exception {
        Path journal = tmp.getRoot().toPath().resolve("events.jsonl");
        EventHistoryStore first = new EventHistoryStore(100, journal);
        PipelineComponent p = pipeline(first);
        plug(p, 1, UsbAction.ATTACH);
        plug(p, 2, UsbAction.ATTACH);
        plug(p, 1, UsbAction.DETACH);
        p.deactivate();
        first.deactivate();
        List<HistoryEvent> before = first.after(0, 10);
        assertEquals(List.of(1L, 2L, 3L), sequences(before));
        assertTrue(Files.readAllLines(journal).get(2).endsWith(",\"seq\":3}"));

        EventHistoryStore second = new EventHistoryStore(2, journal);
        assertEquals(3, second.newest());
        assertEquals("capacity 2 restores the newest two", 2, second.oldest());
        List<HistoryEvent> after = second.after(0, 10);
        assertEquals(List.of(2L, 3L), sequences(after));
        for (int i = 0; i < 2; i++) {
            UsbEvent was = before.get(i + 1).event();
            UsbEvent now = after.get(i).event();
            assertEquals(was.eventId(), now.eventId());
            assertEquals(was.action(), now.action());
            assertEquals(was.device(), now.device());
        }
        PipelineComponent again = pipeline(second);
        plug(again, 3, UsbAction.ATTACH);
        again.deactivate();
        assertEquals(4, second.newest());
    }

    @Test
    public void aLineCutShortByACrashAndLinesWithoutSequenceAreSkipped() throws Exception {
        Path journal = tmp.getRoot().toPath().resolve("events.jsonl");
        EventHistoryStore first = new EventHistoryStore(100, journal);
        PipelineComponent p = pipeline(first);
        plug(p, 1, UsbAction.ATTACH);
        p.deactivate();
        first.deactivate();
        String line = Files.readAllLines(journal).get(0);
        Files.writeString(journal, line.replace(",\"seq\":1", "") + "\n" + line + "\n"
                + line.substring(0, 40), java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        EventHistoryStore second = new EventHistoryStore(100, journal);
        assertEquals(1, second.newest());
        assertEquals(1, second.after(0, 10).size());
    }

    @Test
    public void afterACrashTheSequenceContinuesPastTheReservationSoNoNumberIsReused() throws Exception {
        Path journal = tmp.getRoot().toPath().resolve("events.jsonl");
        EventHistoryStore first = new EventHistoryStore(100, journal);
        PipelineComponent p = pipeline(first);
        plug(p, 1, UsbAction.ATTACH);
        plug(p, 2, UsbAction.ATTACH);
        p.deactivate(); // the journal is complete, but the store never stops cleanly: as after kill -9
        EventHistoryStore second = new EventHistoryStore(100, journal);
        assertEquals(EventHistoryStore.RESERVE, second.newest());
        assertEquals(List.of(1L, 2L), sequences(second.after(0, 10)));
        PipelineComponent again = pipeline(second);
        plug(again, 3, UsbAction.ATTACH);
        again.deactivate();
        assertEquals("the gap shows to a reader resuming after 2", List.of(EventHistoryStore.RESERVE + 1),
                sequences(second.after(2, 10)));
        assertEquals(List.of(2L, EventHistoryStore.RESERVE + 1), sequences(second.after(1, 10)));
        second.deactivate();
        assertEquals(EventHistoryStore.RESERVE + 1, new EventHistoryStore(100, journal).newest());
    }

    @Test
    public void awaitReturnsOnceANewerEventExists() throws Exception {
        EventHistoryStore h = new EventHistoryStore(10, tmp.getRoot().toPath().resolve("events.jsonl"));
        assertFalse(h.await(0, 20));
        PipelineComponent p = pipeline(h);
        Thread t = new Thread(() -> plug(p, 1, UsbAction.ATTACH));
        t.start();
        assertTrue(h.await(0, 10_000));
        t.join();
        p.deactivate();
    }

    @Test
    public void theTailOfALargeJournalIsReadBackwards() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("big.jsonl");
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 5000; i++) {
            b.append("line-").append(i).append("-").append("x".repeat(i % 97)).append('\n');
        }
        Files.writeString(file, b);
        List<String> last = EventHistoryStore.tail(file, 3);
        assertEquals(3, last.size());
        assertTrue(last.get(0), last.get(0).startsWith("line-4998-"));
        assertTrue(last.get(2), last.get(2).startsWith("line-5000-"));
        assertEquals(5000, EventHistoryStore.tail(file, 10_000).size());
    }
}
