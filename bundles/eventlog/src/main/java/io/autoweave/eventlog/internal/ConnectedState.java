package io.autoweave.eventlog.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.LogRecord;

/**
 * What the log says is connected: the attach record of every device attached and not detached since, with the
 * updates of that attach folded in. Kept by the writer as it commits, and saved as a checkpoint
 * ({@code DATA/eventlog/connected.state}: magic, seq, last commit time, then the attach records in {@link RecordCodec}
 * form) at a clean stop and every few seconds while it changes, so a start folds only the records after the checkpoint
 * instead of the whole log. A device is keyed by signature and port path, like the pipeline's registry (identical
 * devices without a serial share a signature and differ by port).
 */
final class ConnectedState {
    static final String FILE = "connected.state";
    private static final int MAGIC = 0x4157434E; // "AWCN"

    /** A connected device: signature and port (two references to the event's own strings, not a new string). */
    record Key(String signature, String portPath) {
    }

    private final Map<Key, LogRecord> attached = new LinkedHashMap<>();
    private final Map<String, Key> keyOfEvent = new LinkedHashMap<>();
    private long seq;
    private long lastCommitMillis;
    private boolean dirty;

    synchronized void apply(LogRecord r) {
        seq = r.seq();
        lastCommitMillis = Math.max(lastCommitMillis, r.appendMillis());
        if (r.event() == null) {
            return;
        }
        UsbEvent e = r.event();
        if (r.kind() == LogRecord.Kind.UPDATE) {
            Key key = keyOfEvent.get(e.eventId());
            if (key != null && attached.containsKey(key)) {
                LogRecord old = attached.get(key);
                attached.put(key, new LogRecord(old.seq(), old.appendMillis(), LogRecord.Kind.EVENT, e, 0,
                        old.reconciledLastSeenMillis(), null));
                dirty = true;
            }
            return;
        }
        Key key = key(e);
        if (e.action() == UsbAction.ATTACH) {
            LogRecord previous = attached.put(key, r);
            if (previous != null) {
                keyOfEvent.remove(previous.event().eventId());
            }
            keyOfEvent.put(e.eventId(), key);
        } else {
            LogRecord gone = attached.remove(key);
            if (gone != null) {
                keyOfEvent.remove(gone.event().eventId());
            }
        }
        dirty = true;
    }

    static Key key(UsbEvent e) {
        return new Key(e.device().signature(), e.device().portPath());
    }

    synchronized List<LogRecord> attached() {
        return new ArrayList<>(attached.values());
    }

    synchronized long seq() {
        return seq;
    }

    synchronized long lastCommitMillis() {
        return lastCommitMillis;
    }

    /** A clean stop: the devices were known connected until now. */
    synchronized void stopped(long nowMillis) {
        lastCommitMillis = Math.max(lastCommitMillis, nowMillis);
        dirty = true;
    }

    /** What a checkpoint holds, taken at one commit: the attach records are shared, immutable {@link LogRecord}s. */
    record Snapshot(long seq, long lastCommitMillis, List<LogRecord> attached) {
    }

    /**
     * The state as of now when something changed since the last snapshot (or {@code force}), else null. Cheap (a copy
     * of references): the writer takes it between commits and hands the encoding and the fsync to another thread, so
     * a checkpoint of many thousand devices never stalls a commit.
     */
    synchronized Snapshot snapshot(boolean force) {
        if (!dirty && !force) {
            return null;
        }
        dirty = false;
        return new Snapshot(seq, lastCommitMillis, new ArrayList<>(attached.values()));
    }

    /** A snapshot could not be written: the next one must be taken even if nothing changes meanwhile. */
    synchronized void unsaved() {
        dirty = true;
    }

    /** Writes the checkpoint now (temporary file, fsync, rename) when something changed since the last one. */
    void save(Path dir, boolean force) throws IOException {
        Snapshot snapshot = snapshot(force);
        if (snapshot != null) {
            try {
                write(dir, snapshot);
            } catch (IOException | RuntimeException e) {
                unsaved();
                throw e;
            }
        }
    }

    /** Writes {@code snapshot} as the checkpoint (temporary file, fsync, atomic rename); one writer at a time. */
    static void write(Path dir, Snapshot snapshot) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + snapshot.attached().size() * 224);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeLong(snapshot.seq());
            out.writeLong(snapshot.lastCommitMillis());
            out.writeInt(snapshot.attached().size());
            for (LogRecord r : snapshot.attached()) {
                byte[] b = RecordCodec.encode(r);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        Path tmp = dir.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Loads the checkpoint; false (and nothing loaded) when there is none or it is unreadable. */
    synchronized boolean load(Path dir) {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(dir.resolve(FILE)))) {
            if (in.readInt() != MAGIC) {
                return false;
            }
            long s = in.readLong();
            long last = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > 1_000_000) {
                return false;
            }
            Map<Key, LogRecord> loaded = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                int len = in.readInt();
                if (len <= 0 || len > SegmentStore.MAX_BODY_BYTES) {
                    return false;
                }
                byte[] b = in.readNBytes(len);
                LogRecord r = RecordCodec.decode(b, 0, b.length);
                loaded.put(key(r.event()), r);
            }
            attached.clear();
            keyOfEvent.clear();
            attached.putAll(loaded);
            loaded.forEach((k, r) -> keyOfEvent.put(r.event().eventId(), k));
            seq = s;
            lastCommitMillis = last;
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    synchronized void clear() {
        attached.clear();
        keyOfEvent.clear();
        seq = 0;
        lastCommitMillis = 0;
    }
}
