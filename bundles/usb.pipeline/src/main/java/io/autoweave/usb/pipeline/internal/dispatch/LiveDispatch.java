package io.autoweave.usb.pipeline.internal.dispatch;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogRecord;
import io.autoweave.usb.pipeline.internal.support.LatencyHistogram;

/**
 * A live reader of the event log: hands every committed EVENT record, in seq order, to in-runtime consumers (the plugin
 * listener dispatcher and EventAdmin, in {@code LiveDelivery}) from its own thread. Live means it starts where this process lifetime's pipeline started: a restart does not replay old events
 * to plugins. Since it reads committed records only, a plugin never sees an event the log could lose.
 * Update and loss records are not shown to listeners: their API carries events.
 */
public final class LiveDispatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveDispatch.class);
    static final int BATCH = 512;

    private final EventLog log;
    private final List<Consumer<UsbEvent>> consumers;
    private final LongSupplier nanoClock;
    private final LatencyHistogram latency = new LatencyHistogram();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long position;
    public final LongAdder dispatched = new LongAdder();
    public final LongAdder failures = new LongAdder();

    /**
     * @param from the last seq not to dispatch: live readers start where the pipeline started (its
     *        {@code PipelineComponent.liveFrom()}), so nothing the pipeline appended before they came is missed
     * @param name the thread's name
     */
    public LiveDispatch(EventLog log, long from, List<Consumer<UsbEvent>> consumers, LongSupplier nanoClock, String name) {
        this.log = log;
        this.consumers = List.copyOf(consumers);
        this.nanoClock = nanoClock;
        this.position = from;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    public LatencyHistogram latency() {
        return latency;
    }

    long position() {
        return position;
    }

    private void run() {
        while (running) {
            try {
                if (!log.await(position, 500)) {
                    continue;
                }
                List<LogRecord> batch = log.read(position, BATCH);
                for (LogRecord r : batch) {
                    if (r.kind() == LogRecord.Kind.EVENT) {
                        UsbEvent e = r.event();
                        latency.record(nanoClock.getAsLong() - e.monotonicNanos());
                        for (Consumer<UsbEvent> c : consumers) {
                            try {
                                c.accept(e);
                            } catch (RuntimeException ex) {
                                failures.increment();
                                LOG.warn("USB event consumer failed on {}: {}", e.eventId(), ex.toString());
                            }
                        }
                        dispatched.increment();
                    }
                    position = r.seq();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Waits (at most {@code graceMillis}) until everything committed so far is dispatched, then stops. */
    public void close(long graceMillis) {
        long target = log.lastSeq();
        long deadline = System.nanoTime() + graceMillis * 1_000_000L;
        while (position < target && System.nanoTime() < deadline && thread.isAlive()) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        running = false;
        thread.interrupt();
    }

    @Override
    public void close() {
        close(2000);
    }
}
