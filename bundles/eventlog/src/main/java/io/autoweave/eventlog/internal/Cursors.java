package io.autoweave.eventlog.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.log.LogCursor;

/**
 * Named durable cursors, one small file each ({@code DATA/eventlog/cursors/NAME}: the seq in decimal). A commit only
 * sets a number in memory; a background thread saves changed cursors every {@code flushMillis} (write to a temporary
 * file, fsync, rename), so saving a cursor never waits on, or delays, the fsync that makes events durable.
 */
final class Cursors implements AutoCloseable {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Logger LOG = LoggerFactory.getLogger(Cursors.class);

    private final Path dir;
    private final long flushMillis;
    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
    private final Thread flusher;
    private volatile boolean closed;

    Cursors(Path dir, long flushMillis) throws IOException {
        this.dir = dir;
        this.flushMillis = flushMillis;
        Files.createDirectories(dir);
        this.flusher = new Thread(this::flushLoop, "autoweave-eventlog-cursors");
        flusher.setDaemon(true);
        flusher.start();
    }

    /** The cursor {@code name}; a new one starts at {@code startIfNew}. */
    LogCursor get(String name, long startIfNew) {
        if (name == null || !NAME.matcher(name).matches() || name.startsWith(".")) {
            throw new IllegalArgumentException("cursor name must be 1 to 64 letters, digits, '.', '_' or '-' and "
                    + "not start with '.': " + name);
        }
        return cursors.computeIfAbsent(name, n -> load(n, startIfNew));
    }

    /** A cursor not on disk yet is saved at the next flush, so a crash before its first commit does not move it. */
    private Cursor load(String name, long startIfNew) {
        Path file = dir.resolve(name);
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            long pos = Long.parseLong(text);
            Cursor c = new Cursor(name, pos);
            c.saved = pos;
            return c;
        } catch (NoSuchFileException e) {
            return new Cursor(name, startIfNew);
        } catch (IOException | NumberFormatException e) {
            LOG.warn("event log cursor {} unreadable ({}): starting it at {}", name, e.toString(), startIfNew);
            return new Cursor(name, startIfNew);
        }
    }

    /** Saves every changed cursor now. */
    void flush() {
        for (Cursor c : cursors.values()) {
            long pos = c.position.get();
            if (pos != c.saved) {
                try {
                    Path tmp = dir.resolve("." + c.name + ".tmp");
                    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                        ch.write(java.nio.ByteBuffer.wrap((pos + "\n").getBytes(StandardCharsets.US_ASCII)));
                        ch.force(false);
                    }
                    Files.move(tmp, dir.resolve(c.name), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                    c.saved = pos;
                } catch (IOException e) {
                    LOG.debug("event log cursor {} not saved yet: {}", c.name, e.toString());
                }
            }
        }
    }

    private void flushLoop() {
        while (!closed) {
            try {
                Thread.sleep(flushMillis);
            } catch (InterruptedException e) {
                return;
            }
            flush();
        }
    }

    @Override
    public void close() {
        closed = true;
        flusher.interrupt();
        try {
            flusher.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flush();
    }

    private static final class Cursor implements LogCursor {
        private final String name;
        private final AtomicLong position;
        private volatile long saved;

        Cursor(String name, long start) {
            this.name = name;
            this.position = new AtomicLong(start);
            this.saved = Long.MIN_VALUE;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long position() {
            return position.get();
        }

        @Override
        public void commit(long seq) {
            position.accumulateAndGet(seq, Math::max);
        }

        @Override
        public void reset(long seq) {
            position.set(Math.max(0, seq));
        }
    }
}
