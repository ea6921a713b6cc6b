package io.autoweave.eventlog.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.LogRecord;
import io.autoweave.commons.json.Json;

/**
 * {@code DATA/events.jsonl}: a derived copy of the log for tools that read files (the e2e harness, {@code jq}, log
 * shippers). One reader of the log like any other: it writes every record after the last line it wrote, one JSON
 * object per line, in seq order, and rotates the file at a size ({@code events.jsonl.1}, {@code .2}, ...). It is
 * written without fsync: after a crash it resumes after the last complete line on disk, so it may lack the newest
 * records for a moment but never holds one twice or out of order. The log, not this file, is the durable record.
 *
 * <p>Line fields: {@code seq, event_id, instance_id, action, timestamp, vendor_id, product_id, serial_number,
 * manufacturer, product, device_class, interface_classes, bus_number, device_address, port_path, device_signature,
 * sources, flap_count, device_subclass, device_protocol, bcd_device}; an update adds {@code "type":"update"} and
 * {@code updates} (the seq of the event it completes; 0 when unknown) and carries the event's complete sources and
 * fields; a reconciled event adds {@code "reconciled":true} and {@code last_seen}; a loss line is
 * {@code {"seq":N,"type":"loss","count":..,"first_event_id":..,"last_event_id":..,"first_timestamp":..,
 * "last_timestamp":..,"reason":..}}.
 */
final class JsonExport implements AutoCloseable {
    static final String FILE = "events.jsonl";
    private static final Logger LOG = LoggerFactory.getLogger(JsonExport.class);
    private static final Pattern SEQ = Pattern.compile("^\\{\"seq\":(\\d+)");

    private final DurableLog log;
    private final Path file;
    private final long maxBytes;
    private final int files;
    private final Thread thread;
    private volatile boolean running = true;
    private long position;
    final LongAdder lines = new LongAdder();
    final LongAdder failures = new LongAdder();

    JsonExport(DurableLog log, Path dataDir, long maxBytes, int files) throws IOException {
        this.log = log;
        this.file = dataDir.resolve(FILE);
        this.maxBytes = maxBytes;
        this.files = files;
        this.position = resumePoint();
        this.thread = new Thread(this::run, "autoweave-eventlog-export");
        thread.setDaemon(true);
        thread.start();
    }

    long position() {
        return position;
    }

    /** Cuts a torn last line and returns the seq of the last complete one (0 when none). */
    private long resumePoint() throws IOException {
        if (!Files.exists(file)) {
            return log.lastSeq() == 0 ? 0 : Math.max(0, log.firstSeq() - 1);
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long len = f.length();
            long from = Math.max(0, len - 65536);
            byte[] tail = new byte[(int) (len - from)];
            f.seek(from);
            f.readFully(tail);
            int end = tail.length;
            while (end > 0 && tail[end - 1] != '\n') {
                end--;
            }
            if (end < tail.length) {
                f.setLength(from + end); // a line the crash cut short
            }
            int start = end - 1;
            while (start > 0 && tail[start - 1] != '\n') {
                start--;
            }
            if (end <= 0 || start < 0) {
                return Math.max(0, log.firstSeq() - 1);
            }
            Matcher m = SEQ.matcher(new String(tail, start, end - start, StandardCharsets.UTF_8));
            return m.find() ? Long.parseLong(m.group(1)) : Math.max(0, log.firstSeq() - 1);
        }
    }

    private void run() {
        while (running) {
            try {
                if (!log.await(position, 500)) {
                    continue;
                }
                List<LogRecord> batch = log.read(position, 1024);
                if (batch.isEmpty()) {
                    continue;
                }
                StringBuilder b = new StringBuilder(batch.size() * 400);
                for (LogRecord r : batch) {
                    line(b, r).append('\n');
                }
                write(b.toString().getBytes(StandardCharsets.UTF_8));
                position = batch.get(batch.size() - 1).seq();
                lines.add(batch.size());
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                failures.increment();
                if (failures.sum() == 1 || failures.sum() % 100 == 0) {
                    LOG.warn("events.jsonl export behind at seq {}: {} (retrying; the log keeps every record)",
                            position, e.toString());
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void write(byte[] bytes) throws IOException {
        if (Files.exists(file) && Files.size(file) + bytes.length > maxBytes) {
            rotate();
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long len = f.length();
            f.seek(len);
            try {
                f.write(bytes);
            } catch (IOException e) {
                f.setLength(len); // no torn line: the retry writes the whole batch again
                throw e;
            }
        }
    }

    private void rotate() throws IOException {
        Path dir = file.getParent();
        Files.deleteIfExists(dir.resolve(FILE + "." + (files - 1)));
        for (int i = files - 2; i >= 1; i--) {
            Path from = dir.resolve(FILE + "." + i);
            if (Files.exists(from)) {
                Files.move(from, dir.resolve(FILE + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (files > 1) {
            Files.move(file, dir.resolve(FILE + ".1"), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(file);
        }
    }

    static StringBuilder line(StringBuilder b, LogRecord r) {
        b.append("{\"seq\":").append(r.seq());
        if (r.kind() == LogRecord.Kind.LOSS) {
            LogRecord.Loss l = r.loss();
            b.append(",\"type\":\"loss\",\"count\":").append(l.count());
            field(b, "first_event_id", l.firstEventId());
            field(b, "last_event_id", l.lastEventId());
            b.append(",\"first_timestamp\":").append(l.firstTimestampMillis());
            b.append(",\"last_timestamp\":").append(l.lastTimestampMillis());
            field(b, "reason", l.reason());
            return b.append('}');
        }
        if (r.kind() == LogRecord.Kind.UPDATE) {
            b.append(",\"type\":\"update\",\"updates\":").append(r.updates());
        }
        UsbEvent event = r.event();
        UsbDevice d = event.device();
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
        for (String s : (Set<String>) event.sources()) {
            if (i++ > 0) {
                b.append(',');
            }
            Json.string(b, s);
        }
        b.append("],\"flap_count\":").append(event.flapCount());
        b.append(",\"device_subclass\":").append(d.deviceSubclass());
        b.append(",\"device_protocol\":").append(d.deviceProtocol());
        b.append(",\"bcd_device\":").append(d.bcdDevice());
        if (r.reconciled()) {
            b.append(",\"reconciled\":true,\"last_seen\":").append(r.reconciledLastSeenMillis());
        }
        return b.append('}');
    }

    private static void field(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":");
        if (value == null) {
            b.append("null");
        } else {
            Json.string(b, value);
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
