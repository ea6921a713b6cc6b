package io.autoweave.webhooks.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.autoweave.commons.json.Json;

/**
 * Every delivery attempt of every subscription, one JSON line each in {@code DATA/webhooks/deliveries.jsonl}
 * (rotated to {@code deliveries.jsonl.1} at {@link #MAX_BYTES}), and the newest {@link #KEPT} in memory for
 * {@code aw:webhook-log}. Fields: {@code time, subscription, webhook_id, type, sequence, attempt, status} (HTTP
 * status or null), {@code error} (null or why), {@code outcome} ({@code delivered}, {@code retry},
 * {@code dead-letter}), {@code millis}. The files are readable by the runtime's user only (mode 600). A line that
 * cannot be written (disk full) is counted and skipped: the delivery log is a diagnostic, and it must never stop a
 * delivery.
 */
final class DeliveryLog implements AutoCloseable {
    static final long MAX_BYTES = 16L << 20;
    static final int KEPT = 500;

    /** One attempt. */
    record Entry(long timeMillis, String subscription, String webhookId, String type, long sequence, int attempt,
            Integer status, String error, String outcome, long millis) {

        Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", Instant.ofEpochMilli(timeMillis).toString());
            m.put("subscription", subscription);
            m.put("webhook_id", webhookId);
            m.put("type", type);
            m.put("sequence", sequence);
            m.put("attempt", attempt);
            m.put("status", status);
            m.put("error", error);
            m.put("outcome", outcome);
            m.put("millis", millis);
            return m;
        }
    }

    private final Path file;
    private final ArrayDeque<Entry> recent = new ArrayDeque<>();
    private Writer out;
    private long size;

    DeliveryLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.getParent());
        open();
    }

    private long writeFailures;

    private void open() throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(file);
            }
        }
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        size = Files.size(file);
    }

    /** Lines that could not be written (disk full, I/O error). */
    synchronized long writeFailures() {
        return writeFailures;
    }

    synchronized void record(Entry e) {
        recent.addLast(e);
        if (recent.size() > KEPT) {
            recent.removeFirst();
        }
        String line = Json.write(e.fields()) + "\n";
        try {
            if (out == null) {
                open(); // the last write failed: try again
            }
            if (size + line.length() > MAX_BYTES) {
                out.close();
                Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                out = null;
                open();
            }
            out.write(line);
            out.flush();
            size += line.getBytes(StandardCharsets.UTF_8).length;
        } catch (IOException ex) {
            if (writeFailures++ % 1000 == 0) {
                System.getLogger(DeliveryLog.class.getName()).log(System.Logger.Level.WARNING,
                        "webhook delivery log " + file + " not written (" + ex + "); deliveries go on");
            }
            try {
                if (out != null) {
                    out.close();
                }
            } catch (IOException ignored) {
                // the stream is broken anyway
            }
            out = null;
        }
    }

    /** The newest entries, oldest first, of {@code subscription} (all when null), at most {@code max}. */
    synchronized List<Entry> recent(String subscription, int max) {
        List<Entry> all = new ArrayList<>();
        for (Entry e : recent) {
            if (subscription == null || subscription.equals(e.subscription())) {
                all.add(e);
            }
        }
        return all.subList(Math.max(0, all.size() - max), all.size());
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
