package io.autoweave.usb.pipeline.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.EventHistory;
import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.commons.json.JsonParser;

/**
 * The {@link EventHistory}: a ring of the newest delivered events, numbered in delivery order. The pipeline calls
 * {@link #accept} for every delivered event (under its lock, so the order is total); the {@link EventJournal} writes
 * each event's sequence into its line of {@code DATA/events.jsonl}, and at activation the ring is refilled from the
 * tail of that file, so sequences continue across restarts and readers resume where they were.
 *
 * <p>The ring holds events as delivered (the first source's view); after a restart it holds the journal's view
 * (every source merged). Either way the sequence and event id are the same.
 *
 * <p><b>After a crash.</b> The journal writes a line when the event's merge window closes, so a crash can lose the
 * lines of the last events, whose sequences readers may already have seen. Sequences are therefore reserved ahead
 * in blocks in {@code DATA/events.seq} (written before use, set back to the last used one at a clean stop); at
 * start the sequence continues after the reservation, never reusing a number. The gap is then visible to a resuming
 * reader (the next sequence is not its last one + 1), who reports those events as missed.
 */
@Component(service = { EventHistory.class, EventHistoryStore.class }, configurationPid = EventHistoryStore.PID)
@Designate(ocd = HistoryConfiguration.class)
public final class EventHistoryStore implements EventHistory, Consumer<UsbEvent> {

    static final String PID = "io.autoweave.usb.history";
    private static final Logger LOG = LoggerFactory.getLogger(EventHistoryStore.class);
    private static final int TAIL_BLOCK = 64 * 1024;
    static final String SEQUENCE_FILE = "events.seq";
    static final long RESERVE = 1000;

    private final int capacity;
    private final ArrayDeque<HistoryEvent> ring = new ArrayDeque<>();
    private final Map<String, Long> sequences = new HashMap<>();
    private final Path sequenceFile;
    private long newest;
    private long reserved;

    @Activate
    public EventHistoryStore(BundleContext context, HistoryConfiguration config) {
        this(config.capacity(), PipelineComponent.dataDir(context).resolve(EventJournal.FILE_NAME));
    }

    EventHistoryStore(int capacity, Path journal) {
        if (capacity < 1 || capacity > 1_000_000) {
            throw new IllegalArgumentException("invalid configuration " + PID + ": capacity must be 1..1000000, was "
                    + capacity);
        }
        this.capacity = capacity;
        this.sequenceFile = journal.resolveSibling(SEQUENCE_FILE);
        List<HistoryEvent> kept = load(journal, capacity);
        for (HistoryEvent e : kept) {
            add(e);
        }
        long wasReserved = readReservation(sequenceFile);
        if (wasReserved > newest) {
            LOG.warn("event history: the last stop was not clean; sequences {} to {} may have named events lost "
                    + "from the journal, so they are skipped (resuming readers are told they missed them)",
                    newest + 1, wasReserved);
            newest = wasReserved;
        }
        reserve(newest + RESERVE);
        LOG.info("event history: {} event(s) restored from {}, newest sequence {}, capacity {}", kept.size(), journal,
                newest, capacity);
    }

    /** A clean stop: the next start continues right after the last sequence used. */
    @Deactivate
    synchronized void deactivate() {
        reserve(newest);
    }

    /** A delivered event: numbered and kept. */
    @Override
    public void accept(UsbEvent event) {
        synchronized (this) {
            if (newest + 1 > reserved) {
                reserve(newest + RESERVE);
            }
            add(new HistoryEvent(newest + 1, event));
            notifyAll();
        }
    }

    /** The sequence given to {@code eventId}, or 0 if it is not (or no longer) kept. */
    synchronized long sequenceOf(String eventId) {
        Long s = sequences.get(eventId);
        return s == null ? 0 : s;
    }

    private void add(HistoryEvent e) {
        ring.addLast(e);
        sequences.put(e.event().eventId(), e.sequence());
        newest = e.sequence();
        while (ring.size() > capacity) {
            HistoryEvent gone = ring.removeFirst();
            sequences.remove(gone.event().eventId(), gone.sequence());
        }
    }

    @Override
    public synchronized List<HistoryEvent> after(long sequence, int max) {
        List<HistoryEvent> out = new ArrayList<>(Math.max(0, Math.min(max, ring.size())));
        if (max <= 0 || sequence >= newest) {
            return out;
        }
        // readers follow the newest events, so search from the end (sequences have gaps after a crash)
        ArrayDeque<HistoryEvent> tail = new ArrayDeque<>();
        Iterator<HistoryEvent> it = ring.descendingIterator();
        while (it.hasNext()) {
            HistoryEvent e = it.next();
            if (e.sequence() <= sequence) {
                break;
            }
            tail.addFirst(e);
        }
        for (HistoryEvent e : tail) {
            if (out.size() == max) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized List<HistoryEvent> recent(String signature, int max) {
        List<HistoryEvent> out = new ArrayList<>();
        if (signature == null || max <= 0) {
            return out;
        }
        String wanted = signature.trim().toLowerCase(Locale.ROOT);
        Iterator<HistoryEvent> it = ring.descendingIterator();
        while (it.hasNext() && out.size() < max) {
            HistoryEvent e = it.next();
            if (wanted.equals(e.event().device().signature())) {
                out.add(e);
            }
        }
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public synchronized long oldest() {
        return ring.isEmpty() ? newest + 1 : ring.peekFirst().sequence();
    }

    @Override
    public synchronized long newest() {
        return newest;
    }

    @Override
    public synchronized boolean await(long sequence, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (newest <= sequence) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    // ---- the sequence reservation -------------------------------------------------------------------------------------

    private void reserve(long upTo) {
        try {
            Files.createDirectories(sequenceFile.toAbsolutePath().getParent());
            Path tmp = sequenceFile.resolveSibling(SEQUENCE_FILE + ".tmp");
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap((upTo + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            Files.move(tmp, sequenceFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            reserved = upTo;
        } catch (IOException e) {
            // events keep flowing; only a crash before the next success could reuse sequences
            LOG.warn("event history: cannot write {}: {}", sequenceFile, e.toString());
            reserved = Math.max(reserved, upTo);
        }
    }

    private static long readReservation(Path file) {
        try {
            return Files.isRegularFile(file) ? Long.parseLong(Files.readString(file).trim()) : 0;
        } catch (IOException | NumberFormatException e) {
            LOG.warn("event history: ignoring unreadable {}: {}", file, e.toString());
            return 0;
        }
    }

    // ---- restoring from the journal ----------------------------------------------------------------------------------

    /** The newest {@code capacity} journal lines that carry a sequence, in sequence order. */
    static List<HistoryEvent> load(Path journal, int capacity) {
        if (!Files.isRegularFile(journal)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = tail(journal, capacity);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the events journal " + journal + " to restore the history", e);
        }
        List<HistoryEvent> out = new ArrayList<>(lines.size());
        int bad = 0;
        for (String line : lines) {
            try {
                HistoryEvent e = parse(line);
                if (e != null) {
                    out.add(e);
                }
            } catch (RuntimeException e) {
                bad++; // a line cut short by a crash, or written by hand
            }
        }
        if (bad > 0) {
            LOG.warn("event history: skipped {} unreadable line(s) at the end of {}", bad, journal);
        }
        out.sort(Comparator.comparingLong(HistoryEvent::sequence));
        return out;
    }

    /** The last {@code count} complete lines of {@code file}, read backwards in blocks. */
    static List<String> tail(Path file, int count) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long end = f.length();
            long pos = end;
            List<byte[]> chunks = new ArrayList<>(); // newest first
            int newlines = 0;
            while (pos > 0 && newlines <= count) {
                int n = (int) Math.min(TAIL_BLOCK, pos);
                pos -= n;
                byte[] chunk = new byte[n];
                f.seek(pos);
                f.readFully(chunk, 0, n);
                for (byte b : chunk) {
                    if (b == '\n') {
                        newlines++;
                    }
                }
                chunks.add(chunk);
            }
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream((int) (end - pos));
            for (int i = chunks.size() - 1; i >= 0; i--) {
                bytes.write(chunks.get(i));
            }
            String text = bytes.toString(StandardCharsets.UTF_8);
            String[] all = text.split("\n", -1);
            List<String> lines = new ArrayList<>();
            // the first piece may be a partial line when we stopped mid-file; the last is empty or unterminated
            int from = pos > 0 ? 1 : 0;
            for (int i = from; i < all.length; i++) {
                if (!all[i].isBlank()) {
                    lines.add(all[i]);
                }
            }
            return lines.size() > count ? lines.subList(lines.size() - count, lines.size()) : lines;
        }
    }

    @SuppressWarnings("unchecked")
    static HistoryEvent parse(String line) {
        Map<String, Object> m = (Map<String, Object>) JsonParser.parse(line);
        Object seq = m.get("seq");
        if (!(seq instanceof Long)) {
            return null; // written before sequences existed
        }
        List<Integer> interfaces = new ArrayList<>();
        if (m.get("interface_classes") instanceof List<?> l) {
            for (Object o : l) {
                interfaces.add(((Long) o).intValue());
            }
        }
        Set<String> sources = new LinkedHashSet<>();
        if (m.get("sources") instanceof List<?> l) {
            for (Object o : l) {
                sources.add(String.valueOf(o));
            }
        }
        UsbDevice d = new UsbDevice(Integer.parseInt((String) m.get("vendor_id"), 16),
                Integer.parseInt((String) m.get("product_id"), 16), (String) m.get("serial_number"),
                (String) m.get("manufacturer"), (String) m.get("product"), integer(m, "device_class", 0),
                integer(m, "device_subclass", 0), integer(m, "device_protocol", 0), interfaces,
                integer(m, "bcd_device", 0), integer(m, "bus_number", -1), integer(m, "device_address", -1),
                (String) m.get("port_path"), (String) m.get("device_signature"));
        UsbEvent e = new UsbEvent((String) m.get("event_id"), (String) m.get("instance_id"),
                UsbAction.parse((String) m.get("action")), ((Long) m.get("timestamp")), 0L, d, sources,
                integer(m, "flap_count", 0));
        return new HistoryEvent((Long) seq, e);
    }

    private static int integer(Map<String, Object> m, String key, int absent) {
        Object v = m.get(key);
        return v instanceof Long l ? l.intValue() : absent;
    }
}
