package io.autoweave.webhooks.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogCursor;
import io.autoweave.api.log.LogRecord;
import io.autoweave.api.log.LogStatus;

/** A bounded in-memory EventLog with the log's semantics (contiguous seqs, oldest dropped first by retention). */
final class ListHistory implements EventLog {
    private final int capacity;
    private final List<HistoryEvent> events = new ArrayList<>();
    private long newest;

    ListHistory(int capacity) {
        this.capacity = capacity;
    }

    synchronized HistoryEvent add(UsbAction action, int vendor, String serial) {
        UsbDevice d = new UsbDevice(vendor, 0x0001, serial, "Acme", "Stick <b>" + serial + "</b>", 0, 0, 0,
                List.of(8), 0x0100, 1, (int) (newest % 100) + 2, "1-" + (newest % 4 + 1), "sig-" + serial);
        UsbEvent e = new UsbEvent("ev-" + (newest + 1), "instance-1", action, 1_700_000_000_000L + newest,
                System.nanoTime(), d, Set.of("simulated"), 0);
        HistoryEvent h = new HistoryEvent(++newest, e);
        events.add(h);
        if (events.size() > capacity) {
            events.remove(0);
        }
        notifyAll();
        return h;
    }

    @Override
    public synchronized List<LogRecord> read(long sequence, int max) {
        List<LogRecord> out = new ArrayList<>();
        for (HistoryEvent h : events) {
            if (h.sequence() > sequence && out.size() < max) {
                out.add(new LogRecord(h.sequence(), 0, LogRecord.Kind.EVENT, h.event(), 0, 0, null));
            }
        }
        return out;
    }

    @Override
    public synchronized List<LogRecord> recent(String signature, int max) {
        return List.of();
    }

    @Override
    public synchronized long firstSeq() {
        return events.isEmpty() ? newest + 1 : events.get(0).sequence();
    }

    @Override
    public synchronized long lastSeq() {
        return newest;
    }

    @Override
    public LogCursor cursor(String name) {
        throw new UnsupportedOperationException("webhooks keep their own cursor files");
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

    @Override
    public synchronized boolean await(long sequence, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (newest <= sequence) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }
}
