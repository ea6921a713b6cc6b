package io.autoweave.http.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogRecord;
import io.autoweave.commons.json.Json;
import io.autoweave.commons.event.EventJson;

/**
 * One Server-Sent Events stream of the {@link EventLog}, written by the request's own thread: a live reader of the
 * log.
 *
 * <p>Each record is {@code id: SEQ}, {@code event: attach|detach|update|loss}, {@code data: JSON} (the same record as
 * Redis, webhooks and the export carry for that seq). The reader keeps only a cursor (the last seq sent) and pulls
 * from the log, so a slow client never holds up the pipeline and needs no buffer of its own; its buffer is the log. A client that falls more than {@code maxLag} events
 * behind (it reads slower than events come) gets {@code event: disconnect} and is closed, before the history
 * would drop events it has not read; it resumes with {@code Last-Event-ID} without loss. Events that left the
 * history before the client asked for them are announced by {@code event: missed} (never skipped silently); its
 * {@code id} is the last missed sequence, so a resume after it does not report them again. A comment line goes out
 * when nothing was written for {@code heartbeatMillis}, which keeps proxies from closing an idle stream and finds
 * clients that went away: its line goes out first and the blank line that ends it {@link #PROBE_MILLIS} later, as a
 * second write. The first write to a connection the client closed still succeeds (the kernel takes it and the client's
 * side answers with a reset); the second one fails. So a dead client is found within a heartbeat and a probe, and its
 * stream slot freed, instead of after several heartbeats.
 */
final class EventStream {

    /** Where the stream text goes: the response writer in production. */
    interface Sink {
        void write(String text) throws IOException;

        void flush() throws IOException;
    }

    static final int BATCH = 256;
    /** How often the loop looks at {@code running} while idle. */
    static final long POLL_MILLIS = 500;
    /** Delay between a heartbeat's comment line and the blank line that ends it (the dead-client probe). */
    static final long PROBE_MILLIS = POLL_MILLIS;

    private final EventLog history;
    private final Sink sink;
    private final long heartbeatMillis;
    private final long maxLag;
    private final BooleanSupplier running;
    private final LongSupplier millis;
    private long cursor;
    private long lastWrite;
    /** When the probe (the blank line ending a heartbeat) is due, or -1 when no heartbeat is open. */
    private long probeDue = -1;
    long sent;

    /**
     * @param resumeAfter the last sequence the client saw (Last-Event-ID), or -1 for live events only
     */
    EventStream(EventLog history, Sink sink, long resumeAfter, long heartbeatMillis, long maxLag,
            BooleanSupplier running, LongSupplier millis) {
        this.history = history;
        this.sink = sink;
        this.heartbeatMillis = heartbeatMillis;
        this.maxLag = maxLag;
        this.running = running;
        this.millis = millis;
        this.cursor = resumeAfter;
    }

    /** Writes until the client goes away ({@link IOException}), is too slow, or {@code running} turns false. */
    void run() throws IOException, InterruptedException {
        sink.write(": AutoWeave USB events\nretry: 2000\n\n");
        if (cursor < 0) {
            cursor = history.lastSeq();
        } else if (cursor > history.lastSeq()) {
            long resetTo = history.firstSeq() - 1;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("reset", true);
            m.put("oldest_kept", history.firstSeq());
            m.put("message", "Last-Event-ID " + cursor + " is newer than the newest event " + history.lastSeq()
                    + " (the event log was reset?); sending every record kept, from the oldest");
            sink.write("id: " + resetTo + "\nevent: missed\ndata: " + Json.write(m) + "\n\n");
            cursor = resetTo;
        }
        sink.flush();
        lastWrite = millis.getAsLong();
        while (running.getAsBoolean()) {
            long oldest = history.firstSeq();
            if (cursor < oldest - 1) {
                missed(cursor, oldest - 1);
            }
            List<LogRecord> batch = history.read(cursor, BATCH);
            if (!batch.isEmpty()) {
                long first = batch.get(0).seq();
                if (first > cursor + 1) { // retention dropped them between firstSeq() and read()
                    missed(cursor, first - 1);
                }
                if (probeDue >= 0) {
                    sink.write("\n"); // end the open heartbeat comment before the event
                    probeDue = -1;
                }
                for (LogRecord e : batch) {
                    sink.write("id: " + e.seq() + "\nevent: " + EventJson.recordName(e) + "\ndata: "
                            + Json.write(EventJson.record(e)) + "\n\n");
                    cursor = e.seq();
                    sent++;
                }
                sink.flush();
                lastWrite = millis.getAsLong();
                long behind = history.lastSeq() - cursor;
                if (behind > maxLag) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("reason", "too_slow");
                    m.put("behind", behind);
                    m.put("last_sent", cursor);
                    m.put("message", "this client is " + behind + " events behind (limit " + maxLag
                            + "); reconnect with Last-Event-ID " + cursor + " to resume without loss");
                    sink.write("event: disconnect\ndata: " + Json.write(m) + "\n\n");
                    sink.flush();
                    return;
                }
                continue;
            }
            if (!history.await(cursor, Math.min(POLL_MILLIS, heartbeatMillis))) {
                long now = millis.getAsLong();
                if (probeDue >= 0 && now >= probeDue) {
                    sink.write("\n");
                    sink.flush(); // fails on a connection the client closed: the heartbeat line drew its reset
                    probeDue = -1;
                } else if (probeDue < 0 && now - lastWrite >= heartbeatMillis) {
                    sink.write(": heartbeat " + Instant.ofEpochMilli(now) + "\n");
                    sink.flush();
                    lastWrite = now;
                    probeDue = now + PROBE_MILLIS;
                }
            }
        }
    }

    /** Announces that the events after {@code from} up to {@code to} are not in the history any more. */
    private void missed(long from, long to) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", from + 1);
        m.put("to", to);
        m.put("count", to - from);
        m.put("oldest_kept", history.firstSeq());
        m.put("message", "events " + (from + 1) + " to " + to
                + " are no longer in the event log (retention keeps the newest ones only); they were not sent");
        sink.write("id: " + to + "\nevent: missed\ndata: " + Json.write(m) + "\n\n");
        cursor = to;
    }

    long cursor() {
        return cursor;
    }
}
