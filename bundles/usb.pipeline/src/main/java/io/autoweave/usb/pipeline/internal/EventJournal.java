package io.autoweave.usb.pipeline.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.commons.json.Json;

/**
 * Appends every delivered event as one JSON line to {@code DATA/events.jsonl}, flushing each line (readers such
 * as the e2e harness copy the file while the runtime runs).
 *
 * <p><b>When a line is written.</b> The pipeline emits an event on its first report (leading edge) and later
 * sources of the same action only join it ({@link Merger.MergeUpdate}). Listeners and EventAdmin get the event at
 * once; the journal instead holds it until its merge window closes ({@code monotonicNanos + merge window}), so the
 * line carries every source that saw the action, and fills the serial, manufacturer, product and location the
 * first source lacked from the later ones (never overwriting; the signature stays the event's). At
 * {@link #close()} every held event is written at once with what is known by then.
 *
 * <p>Fields: {@code event_id, instance_id, action, timestamp} (epoch ms), {@code vendor_id, product_id} (4 lower-case
 * hex digits), {@code serial_number, manufacturer, product} (string or null), {@code device_class},
 * {@code interface_classes} (array), {@code bus_number, device_address} (null when unknown), {@code port_path},
 * {@code device_signature}, {@code sources} (array, first reporter first), {@code flap_count},
 * {@code device_subclass, device_protocol, bcd_device}, and {@code seq}: the event's {@link EventHistoryStore}
 * sequence, from which the history is restored at start.
 *
 * <p>Thread-safe: events and updates arrive on the pipeline's threads, timed writes run on the scheduler's thread.
 */
final class EventJournal implements Consumer<UsbEvent>, AutoCloseable {

    static final String FILE_NAME = "events.jsonl";
    /** Updates for events not delivered (yet) are remembered up to this many; the debouncer may deliver late. */
    static final int EARLY_UPDATES = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);

    private static final class Held {
        final UsbEvent event;
        final long sequence;
        final Set<String> sources = new LinkedHashSet<>();
        UsbDevice device;

        Held(UsbEvent event, long sequence) {
            this.event = event;
            this.sequence = sequence;
            this.device = event.device();
            sources.addAll(event.sources());
        }

        void join(Set<String> more, UsbDevice reported) {
            sources.addAll(more);
            device = DeviceRegistry.fill(device, reported);
        }
    }

    private volatile long windowNanos;
    private final LongSupplier nanoClock;
    private final TaskScheduler scheduler;
    private final ToLongFunction<String> sequences;
    private final Map<String, Held> held = new LinkedHashMap<>();
    private final Map<String, List<Merger.MergeUpdate>> early = new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<Merger.MergeUpdate>> eldest) {
            return size() > EARLY_UPDATES;
        }
    };
    private final Object writeLock = new Object();
    private final BufferedWriter out;
    private boolean closed;

    final LongAdder written = new LongAdder();
    final LongAdder failures = new LongAdder();

    /** How long events are held for later sources from now on (the merge window changed). */
    void window(long nanos) {
        this.windowNanos = nanos;
    }

    EventJournal(Path file, long windowNanos, LongSupplier nanoClock, TaskScheduler scheduler) {
        this(file, windowNanos, nanoClock, scheduler, id -> 0);
    }

    /** @param sequences the history sequence of an event id (0: none), written as {@code seq} */
    EventJournal(Path file, long windowNanos, LongSupplier nanoClock, TaskScheduler scheduler,
            ToLongFunction<String> sequences) {
        this.sequences = sequences;
        this.windowNanos = windowNanos;
        this.nanoClock = nanoClock;
        this.scheduler = scheduler;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the events journal " + file, e);
        }
    }

    /** A delivered event: held until its merge window closes. */
    @Override
    public void accept(UsbEvent event) {
        Held h = new Held(event, sequences.applyAsLong(event.eventId()));
        synchronized (this) {
            if (closed) {
                return;
            }
            for (Merger.MergeUpdate u : early.getOrDefault(event.eventId(), List.of())) {
                h.join(u.sources(), u.reported());
            }
            early.remove(event.eventId());
            held.put(event.eventId(), h);
        }
        long delay = event.monotonicNanos() + windowNanos - nanoClock.getAsLong();
        scheduler.schedule(() -> flush(event.eventId()), Math.max(0, delay));
    }

    /** A later source joined an emitted event. */
    void update(Merger.MergeUpdate update) {
        synchronized (this) {
            Held h = held.get(update.eventId());
            if (h != null) {
                h.join(update.sources(), update.reported());
            } else if (!closed) {
                early.computeIfAbsent(update.eventId(), id -> new ArrayList<>()).add(update);
            }
        }
    }

    /** Writes every held event now and closes the file. */
    @Override
    public void close() {
        List<Held> rest;
        synchronized (this) {
            closed = true;
            rest = new ArrayList<>(held.values());
            held.clear();
            early.clear();
        }
        synchronized (writeLock) {
            for (Held h : rest) {
                write(h);
            }
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("closing the events journal failed: {}", e.toString());
            }
        }
    }

    /** Events held for their merge window (for tests and metrics). */
    synchronized int held() {
        return held.size();
    }

    private void flush(String eventId) {
        Held h;
        synchronized (this) {
            h = held.remove(eventId);
        }
        if (h != null) {
            synchronized (writeLock) {
                write(h);
            }
        }
    }

    private void write(Held h) {
        try {
            out.write(line(h.event, h.device, h.sources, h.sequence));
            out.write('\n');
            out.flush();
            written.increment();
        } catch (IOException e) {
            failures.increment();
            LOG.warn("events journal: could not write event {}: {}", h.event.eventId(), e.toString());
        }
    }

    static String line(UsbEvent event, UsbDevice d, Set<String> sources) {
        return line(event, d, sources, 0);
    }

    static String line(UsbEvent event, UsbDevice d, Set<String> sources, long sequence) {
        StringBuilder b = new StringBuilder(512).append('{');
        field(b, "event_id", event.eventId());
        field(b, "instance_id", event.instanceId());
        field(b, "action", event.action().wireName());
        b.append(",\"timestamp\":").append(event.timestampMillis());
        field(b, "vendor_id", d.vendorHex());
        field(b, "product_id", d.productHex());
        field(b, "serial_number", d.serial());
        field(b, "manufacturer", d.manufacturer());
        field(b, "product", d.product());
        b.append(",\"device_class\":").append(d.deviceClass());
        b.append(",\"interface_classes\":[");
        for (int i = 0; i < d.interfaceClasses().size(); i++) {
            b.append(i == 0 ? "" : ",").append(d.interfaceClasses().get(i));
        }
        b.append(']');
        b.append(",\"bus_number\":").append(d.busNumber() < 0 ? "null" : Integer.toString(d.busNumber()));
        b.append(",\"device_address\":").append(d.deviceAddress() < 0 ? "null" : Integer.toString(d.deviceAddress()));
        field(b, "port_path", d.portPath());
        field(b, "device_signature", d.signature());
        b.append(",\"sources\":[");
        int i = 0;
        for (String s : sources) {
            if (i++ > 0) {
                b.append(',');
            }
            string(b, s);
        }
        b.append("],\"flap_count\":").append(event.flapCount());
        b.append(",\"device_subclass\":").append(d.deviceSubclass());
        b.append(",\"device_protocol\":").append(d.deviceProtocol());
        b.append(",\"bcd_device\":").append(d.bcdDevice());
        if (sequence > 0) {
            b.append(",\"seq\":").append(sequence);
        }
        return b.append('}').toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        if (b.length() > 1) {
            b.append(',');
        }
        b.append('"').append(name).append("\":");
        string(b, value);
    }

    private static void string(StringBuilder b, String value) {
        if (value == null) {
            b.append("null");
        } else {
            Json.string(b, value);
        }
    }
}
