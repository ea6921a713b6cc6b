package io.autoweave.security.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import io.autoweave.security.AuditRecord;

/**
 * Append-only JSON Lines file, one {@link AuditRecord} per line, forced to disk before {@link #append} returns (a
 * decision that was acted upon is never lost by a crash). Opened in APPEND mode: nothing ever rewrites a line. A
 * torn last line (crash mid-write) is skipped when reading.
 *
 * <p>A {@link FileOutputStream} and {@code FileDescriptor.sync()}, not a {@code FileChannel}: a channel is
 * interruptible, and one {@code Thread.interrupt()} of a thread writing a record closes it for good, so every later
 * decision would go unrecorded. A stream ignores interrupts.
 */
final class AuditLog implements AutoCloseable {
    private final Path file;
    private final FileOutputStream out;

    AuditLog(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.getParent());
            this.out = new FileOutputStream(file.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit log " + file, e);
        }
    }

    Path file() {
        return file;
    }

    synchronized void append(AuditRecord r) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("time", r.time().toString());
        f.put("decision", r.decision());
        f.put("subject", r.subject());
        f.put("rule", r.rule());
        f.put("detail", r.detail());
        out.write((Json.object(f) + "\n").getBytes(StandardCharsets.UTF_8));
        out.getFD().sync();
    }

    /** The newest {@code limit} records matching {@code filter} (see SecurityMonitor#audit), oldest first. */
    List<AuditRecord> query(String filter, int limit) throws IOException {
        List<String[]> terms = terms(filter);
        Deque<AuditRecord> last = new ArrayDeque<>();
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                AuditRecord r = parse(line);
                if (r != null && matches(r, terms)) {
                    last.addLast(r);
                    if (last.size() > limit) {
                        last.removeFirst();
                    }
                }
            }
        }
        return new ArrayList<>(last);
    }

    static AuditRecord parse(String line) {
        try {
            Map<String, String> f = Json.parse(line);
            return new AuditRecord(Instant.parse(f.get("time")), f.get("decision"), f.get("subject"), f.get("rule"),
                    f.get("detail"));
        } catch (RuntimeException e) {
            return null; // a torn line from a crash
        }
    }

    static List<String[]> terms(String filter) {
        List<String[]> terms = new ArrayList<>();
        if (filter == null || filter.isBlank()) {
            return terms;
        }
        for (String t : filter.trim().split("\\s+")) {
            int eq = t.indexOf('=');
            String key = eq > 0 ? t.substring(0, eq).toLowerCase(Locale.ROOT) : null;
            if (key != null && !List.of("time", "decision", "subject", "rule", "detail").contains(key)) {
                key = null;
            }
            terms.add(new String[] { key, (key == null ? t : t.substring(eq + 1)).toLowerCase(Locale.ROOT) });
        }
        return terms;
    }

    static boolean matches(AuditRecord r, List<String[]> terms) {
        for (String[] t : terms) {
            String value = t[0] == null ? String.join("\u0000", r.time().toString(), r.decision(), r.subject(), r.rule(),
                    r.detail()) : field(r, t[0]);
            if (value == null || !value.toLowerCase(Locale.ROOT).contains(t[1])) {
                return false;
            }
        }
        return true;
    }

    private static String field(AuditRecord r, String key) {
        switch (key) {
            case "time": return r.time().toString();
            case "decision": return r.decision();
            case "subject": return r.subject();
            case "rule": return r.rule();
            default: return r.detail();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
