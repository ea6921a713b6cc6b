package io.autoweave.eventlog.internal;

import java.util.ArrayList;
import java.util.List;

import io.autoweave.api.device.EventHistory;
import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.log.LogRecord;

/**
 * {@link EventHistory} (api 1.2) as a view of the log: its sequence is the log's seq, and it lists EVENT records only,
 * so its sequences skip the seqs of update and loss records. Readers that need every record (with the complete
 * sources an update adds) read {@link io.autoweave.api.log.EventLog}.
 */
final class HistoryView implements EventHistory {
    private final DurableLog log;

    HistoryView(DurableLog log) {
        this.log = log;
    }

    @Override
    public List<HistoryEvent> after(long sequence, int max) {
        List<HistoryEvent> out = new ArrayList<>();
        long at = sequence;
        while (out.size() < max) {
            List<LogRecord> batch = log.read(at, Math.max(64, max - out.size()));
            if (batch.isEmpty()) {
                break;
            }
            for (LogRecord r : batch) {
                if (r.kind() == LogRecord.Kind.EVENT && out.size() < max) {
                    out.add(new HistoryEvent(r.seq(), r.event()));
                }
                at = r.seq();
            }
        }
        return out;
    }

    @Override
    public List<HistoryEvent> recent(String signature, int max) {
        List<HistoryEvent> out = new ArrayList<>();
        for (LogRecord r : log.recent(signature, max * 2)) {
            if (r.kind() == LogRecord.Kind.EVENT) {
                out.add(new HistoryEvent(r.seq(), r.event()));
            }
        }
        return out.size() > max ? out.subList(out.size() - max, out.size()) : out;
    }

    @Override
    public long oldest() {
        return log.firstSeq();
    }

    @Override
    public long newest() {
        return log.lastSeq();
    }

    @Override
    public boolean await(long sequence, long timeoutMillis) throws InterruptedException {
        return log.await(sequence, timeoutMillis);
    }
}
