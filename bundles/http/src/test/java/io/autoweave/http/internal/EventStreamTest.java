package io.autoweave.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogCursor;
import io.autoweave.api.log.LogRecord;
import io.autoweave.api.log.LogStatus;
import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

public class EventStreamTest {

    /** A bounded log with the contract of the event log's (contiguous seqs, newest kept by retention). */
    static final class RingHistory implements EventLog {
        private final int capacity;
        private final ArrayDeque<HistoryEvent> ring = new ArrayDeque<>();
        private long newest;

        RingHistory(int capacity) {
            this.capacity = capacity;
        }

        synchronized void add(int n) {
            for (int i = 0; i < n; i++) {
                newest++;
                UsbDevice d = new UsbDevice(0x046d, 0xc52b, null, null, null, 0, 0, 0, List.of(3), 0, 1, 2, "1-2",
                        "ab".repeat(32));
                ring.addLast(new HistoryEvent(newest, new UsbEvent("e" + newest, "i", newest % 2 == 1
                        ? UsbAction.ATTACH : UsbAction.DETACH, 1000 + newest, 0, d, Set.of("simulated"), 0)));
                if (ring.size() > capacity) {
                    ring.removeFirst();
                }
            }
            notifyAll();
        }

        @Override
        public synchronized List<LogRecord> read(long sequence, int max) {
            List<LogRecord> out = new ArrayList<>();
            for (HistoryEvent e : ring) {
                if (e.sequence() > sequence && out.size() < max) {
                    out.add(new LogRecord(e.sequence(), 0, LogRecord.Kind.EVENT, e.event(), 0, 0, null));
                }
            }
            return out;
        }

        @Override
        public List<LogRecord> recent(String signature, int max) {
            return List.of();
        }

        @Override
        public synchronized long firstSeq() {
            return ring.isEmpty() ? newest + 1 : ring.peekFirst().sequence();
        }

        @Override
        public synchronized long lastSeq() {
            return newest;
        }

        @Override
        public LogCursor cursor(String name) {
            throw new UnsupportedOperationException("SSE streams read live, without a durable cursor");
        }

        @Override
        public LogStatus status() {
            return new LogStatus(true, "", 0, 0, 0);
        }

        @Override
        public List<LogRecord> connected() {
            return List.of();
        }

        @Override
        public long lastAliveMillis() {
            return 0;
        }

        /** How often a reader waited: a test adds "live" events only once the stream is waiting for them. */
        volatile int waits;

        @Override
        public synchronized boolean await(long sequence, long timeoutMillis) throws InterruptedException {
            waits++;
            if (newest <= sequence) {
                wait(timeoutMillis);
            }
            return newest > sequence;
        }
    }

    /** Collects the stream text; stops the stream once {@code stopAfter} events are written. */
    static final class Text implements EventStream.Sink {
        final StringBuilder text = new StringBuilder();
        final AtomicBoolean running = new AtomicBoolean(true);
        Runnable onFirstEvent = () -> { };
        int stopAfterEvents = Integer.MAX_VALUE;

        @Override
        public synchronized void write(String s) {
            if (s.startsWith("id: ") && s.contains("event: attach") || s.contains("event: detach")) {
                Runnable r = onFirstEvent;
                onFirstEvent = () -> { };
                r.run();
            }
            text.append(s);
            if (ids("attach|detach").size() >= stopAfterEvents) {
                running.set(false);
            }
        }

        @Override
        public void flush() throws IOException {
        }

        synchronized List<Long> ids(String type) {
            List<Long> out = new ArrayList<>();
            Matcher m = Pattern.compile("id: (\\d+)\nevent: (" + type + ")\n").matcher(text);
            while (m.find()) {
                out.add(Long.parseLong(m.group(1)));
            }
            return out;
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            l.add(i);
        }
        return l;
    }

    private static EventStream stream(RingHistory h, Text t, long resume, long maxLag) {
        return new EventStream(h, t, resume, 60_000, maxLag, t.running::get, System::currentTimeMillis);
    }

    @Test
    public void aResumeGetsExactlyTheEventsAfterItsIdThenLiveOnesWithoutDuplicates() throws Exception {
        RingHistory h = new RingHistory(100);
        h.add(10);
        Text t = new Text();
        t.stopAfterEvents = 9;
        t.onFirstEvent = () -> new Thread(() -> h.add(3)).start();
        stream(h, t, 4, 1000).run();
        assertEquals(range(5, 13), t.ids("attach|detach"));
        assertTrue(t.text.toString(), t.text.toString().contains("id: 5\nevent: attach\ndata: {\"seq\":5,"));
        assertEquals("nothing was missed", List.of(), t.ids("missed"));
    }

    @Test
    public void withoutAnIdOnlyLiveEventsAreSent() throws Exception {
        RingHistory h = new RingHistory(100);
        h.add(10);
        Text t = new Text();
        t.stopAfterEvents = 2;
        new Thread(() -> {
            while (h.waits == 0) { // the stream has taken its start position and waits for news
                Thread.onSpinWait();
            }
            h.add(2);
        }).start();
        stream(h, t, -1, 1000).run();
        assertEquals(List.of(11L, 12L), t.ids("attach|detach"));
    }

    @Test
    public void anIdOlderThanTheHistoryGetsAMissedMarkerNamingTheGapBeforeTheKeptEvents() throws Exception {
        RingHistory h = new RingHistory(5);
        h.add(20); // 16..20 kept
        Text t = new Text();
        t.stopAfterEvents = 5;
        stream(h, t, 3, 1000).run();
        assertEquals("the marker's id is the last missed sequence", List.of(15L), t.ids("missed"));
        assertTrue(t.text.toString(), t.text.toString().contains("\"from\":4,\"to\":15,\"count\":12"));
        assertEquals(range(16, 20), t.ids("attach|detach"));
        assertTrue(t.text.indexOf("event: missed") < t.text.indexOf("id: 16\n"));
    }

    @Test
    public void anIdNewerThanAnyEventSaysTheHistoryWasResetAndSendsWhatIsKept() throws Exception {
        RingHistory h = new RingHistory(10);
        h.add(3);
        Text t = new Text();
        t.stopAfterEvents = 3;
        stream(h, t, 500, 1000).run();
        assertEquals(List.of(0L), t.ids("missed"));
        assertTrue(t.text.toString(), t.text.toString().contains("\"reset\":true"));
        assertEquals(range(1, 3), t.ids("attach|detach"));
    }

    @Test
    public void aClientFallingTooFarBehindGetsAFinalDisconnectMessageAndTheStreamEnds() throws Exception {
        RingHistory h = new RingHistory(1000);
        h.add(2);
        Text t = new Text();
        t.onFirstEvent = () -> h.add(50); // events arrive while this client is still writing
        EventStream s = stream(h, t, 0, 10);
        s.run(); // returns by itself: the client was cut
        assertTrue(t.text.toString(), t.text.toString().contains("event: disconnect\ndata: {\"reason\":\"too_slow\","
                + "\"behind\":50,\"last_sent\":2,"));
        assertEquals(List.of(1L, 2L), t.ids("attach|detach"));
        assertTrue(t.running.get());
    }

    @Test
    public void anIdleStreamSendsHeartbeatComments() throws Exception {
        RingHistory h = new RingHistory(10);
        Text t = new Text();
        AtomicLong now = new AtomicLong(0);
        EventStream s = new EventStream(h, t, -1, 1000, 10, () -> {
            now.addAndGet(600);
            return t.text.indexOf(": heartbeat") < 0;
        }, now::get);
        s.run();
        assertTrue(t.text.toString(), t.text.toString().contains(": heartbeat "));
    }

    @Test
    public void aClientThatClosedTheConnectionIsFoundWithinAHeartbeatAndAProbe() throws Exception {
        RingHistory h = new RingHistory(10);
        AtomicLong now = new AtomicLong(0);
        AtomicLong closedAt = new AtomicLong(-1);
        // like a socket whose peer closed: the first write after the close still succeeds, the next one fails
        EventStream.Sink closedPeer = new EventStream.Sink() {
            int writesAfterClose;

            @Override
            public void write(String text) throws IOException {
                if (closedAt.get() >= 0 && ++writesAfterClose > 1) {
                    throw new IOException("Broken pipe");
                }
            }

            @Override
            public void flush() {
            }
        };
        EventStream s = new EventStream(h, closedPeer, -1, 1000, 10, () -> {
            if (now.addAndGet(250) == 250) {
                closedAt.set(now.get()); // the client goes away right after the stream started
            }
            return now.get() < 60_000;
        }, now::get);
        try {
            s.run();
            fail("the stream must end with the failed write, not run on");
        } catch (IOException expected) {
            // found
        }
        assertTrue("found after " + (now.get() - closedAt.get()) + " ms", now.get() - closedAt.get()
                <= 1000 + EventStream.PROBE_MILLIS + 200);
    }

    @Test
    public void aHeartbeatIsOneCommentEndedByABlankLine() throws Exception {
        RingHistory h = new RingHistory(10);
        Text t = new Text();
        AtomicLong now = new AtomicLong(0);
        EventStream s = new EventStream(h, t, -1, 1000, 10, () -> {
            now.addAndGet(500);
            return now.get() < 2_000;
        }, now::get);
        s.run();
        assertTrue(t.text.toString(), t.text.toString().matches("(?s).*\n: heartbeat [^\n]*\n\n.*"));
    }
}
