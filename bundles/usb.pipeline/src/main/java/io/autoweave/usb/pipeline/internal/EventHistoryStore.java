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
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.EventHistory;
import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

/**
 * The {@link EventHistory}: a ring of the newest delivered events, numbered in delivery order. The pipeline calls
 * {@link #accept} for every delivered event (under its lock, so the order is total); the {@link EventJournal} writes
 * each event's sequence into its line of {@code DATA/events.jsonl}, and at activation the ring is refilled from the
 * tail of that file, so sequences continue across restarts and readers resume where they were.
 *
 * <p>The ring holds events as delivered (the first source's view); after a restart it holds the journal's view
 * (every source merged). Either way the sequence and event id are the same.
 */
@Component(service = { EventHistory.class, EventHistoryStore.class }, configurationPid = EventHistoryStore.PID)
@Designate(ocd = HistoryConfiguration.class)
public final class EventHistoryStore implements EventHistory, Consumer<UsbEvent> {

    static final String PID = "io.autoweave.usb.history";
    private static final Logger LOG = LoggerFactory.getLogger(EventHistoryStore.class);
    private static final int TAIL_BLOCK = 64 * 1024;

    private final int capacity;
    private final ArrayDeque<HistoryEvent> ring = new ArrayDeque<>();
    private final Map<String, Long> sequences = new HashMap<>();
    private long newest;

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
        List<HistoryEvent> kept = load(journal, capacity);
        for (HistoryEvent e : kept) {
            add(e);
        }
        LOG.info("event history: {} event(s) restored from {}, newest sequence {}, capacity {}", kept.size(), journal,
                newest, capacity);
    }

    /** A delivered event: numbered and kept. */
    @Override
    public void accept(UsbEvent event) {
        synchronized (this) {
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
        // sequences in the ring are contiguous, so the start is found by arithmetic
        long first = ring.isEmpty() ? newest + 1 : ring.peekFirst().sequence();
        long skip = Math.max(0, sequence + 1 - first);
        Iterator<HistoryEvent> it = ring.iterator();
        for (long i = 0; i < skip && it.hasNext(); i++) {
            it.next();
        }
        while (it.hasNext() && out.size() < max) {
            out.add(it.next());
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
        // keep the contiguous run ending at the newest sequence: after() relies on contiguity
        int start = out.size() - 1;
        while (start > 0 && out.get(start - 1).sequence() == out.get(start).sequence() - 1) {
            start--;
        }
        return out.isEmpty() ? out : new ArrayList<>(out.subList(Math.max(0, start), out.size()));
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
        Map<String, Object> m = (Map<String, Object>) MiniJson.parse(line);
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
