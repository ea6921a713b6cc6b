package io.autoweave.redis.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;

/**
 * Maps a {@link UsbEvent} to (and, for the consumer-group bridge, back from) the fields of one {@code aw:hotplug} stream entry. The first thirteen fields keep the
 * names and formats of the original AutoWeave (Node.js) publisher so its consumers read our entries unchanged;
 * the rest are additions. The field table is in this module's README.
 */
final class StreamEntries {
    static final String DEFAULT_SOURCE = "autoweave";
    /** Field naming what a non-event entry is; events have none (entries stay as the original stream had them). */
    static final String TYPE = "type";
    /** {@link #TYPE} of a loss marker: events the pipeline shed before they reached the stream. */
    static final String TYPE_SHED = "shed";

    private StreamEntries() {
    }

    static Map<String, String> fields(UsbEvent event) {
        UsbDevice d = event.device();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("source", primarySource(event));
        f.put("action", event.action().wireName());
        f.put("vendor_id", d.vendorHex());
        f.put("product_id", d.productHex());
        f.put("device_signature", orEmpty(d.signature()));
        f.put("manufacturer", orEmpty(d.manufacturer()));
        f.put("product", orEmpty(d.product()));
        f.put("serial_number", orEmpty(d.serial()));
        f.put("bus_number", d.busNumber() < 0 ? "" : Integer.toString(d.busNumber()));
        f.put("device_address", d.deviceAddress() < 0 ? "" : Integer.toString(d.deviceAddress()));
        f.put("port_path", orEmpty(d.portPath()));
        f.put("timestamp", Long.toString(event.timestampMillis()));
        f.put("device_descriptor", descriptorJson(d));
        f.put("event_id", event.eventId());
        f.put("instance_id", orEmpty(event.instanceId()));
        f.put("sources", String.join(",", event.sources().stream().sorted().toList()));
        f.put("flap_count", Integer.toString(event.flapCount()));
        f.put("monotonic_ns", Long.toString(event.monotonicNanos()));
        return f;
    }

    /**
     * The entry of a loss marker: {@code type=shed}, {@code action=shed} (so consumers that switch on the action
     * skip it), how many events were shed and coalesced, which (first/last event id and time), and the marker's own
     * {@code event_id} for de-duplication. The field table is in this module's README.
     */
    static Map<String, String> fields(UsbEventSink.Loss loss) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put(TYPE, TYPE_SHED);
        f.put("source", DEFAULT_SOURCE);
        f.put("action", TYPE_SHED);
        f.put("count", Long.toString(loss.shed()));
        f.put("coalesced", Long.toString(loss.coalesced()));
        f.put("first_event_id", loss.firstEventId());
        f.put("last_event_id", loss.lastEventId());
        f.put("first_timestamp", Long.toString(loss.firstTimestampMillis()));
        f.put("last_timestamp", Long.toString(loss.lastTimestampMillis()));
        f.put("timestamp", Long.toString(loss.lastTimestampMillis()));
        f.put("event_id", loss.markerId());
        f.put("instance_id", orEmpty(loss.instanceId()));
        return f;
    }

    /** {@link #TYPE} of an update: later sources of the event with the same {@code event_id}. */
    static final String TYPE_UPDATE = "update";

    /**
     * The entry of one event log record: an event as {@link #fields(UsbEvent)}; an update as its event's fields with
     * {@code type=update} and {@code updates} (the seq of the event it completes); a loss as a {@code type=shed}
     * marker. Every entry carries {@code seq}, the record's place in the instance's event log, so the same seq means the
     * same content in Redis, SSE, webhooks and the export.
     */
    static Map<String, String> fields(io.autoweave.api.log.LogRecord r) {
        Map<String, String> f;
        switch (r.kind()) {
            case EVENT -> {
                f = fields(r.event());
                if (r.reconciled()) {
                    f.put("reconciled", "true");
                    f.put("last_seen", Long.toString(r.reconciledLastSeenMillis()));
                }
            }
            case UPDATE -> {
                f = new LinkedHashMap<>();
                f.put(TYPE, TYPE_UPDATE);
                f.putAll(fields(r.event()));
                f.put("updates", Long.toString(r.updates()));
            }
            default -> {
                io.autoweave.api.log.LogRecord.Loss l = r.loss();
                f = new LinkedHashMap<>();
                f.put(TYPE, TYPE_SHED);
                f.put("source", DEFAULT_SOURCE);
                f.put("action", TYPE_SHED);
                f.put("count", Long.toString(l.count()));
                f.put("coalesced", "0");
                f.put("first_event_id", l.firstEventId());
                f.put("last_event_id", l.lastEventId());
                f.put("first_timestamp", Long.toString(l.firstTimestampMillis()));
                f.put("last_timestamp", Long.toString(l.lastTimestampMillis()));
                f.put("timestamp", Long.toString(l.lastTimestampMillis()));
                f.put("event_id", "loss-" + r.seq());
                f.put("reason", l.reason());
            }
        }
        f.put("seq", Long.toString(r.seq()));
        return f;
    }

    /** A marker for records retention removed before this publisher read them (Redis was away that long). */
    static Map<String, String> missed(long from, long to, String instanceId, long nowMillis) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put(TYPE, TYPE_SHED);
        f.put("source", DEFAULT_SOURCE);
        f.put("action", TYPE_SHED);
        f.put("count", Long.toString(to - from + 1));
        f.put("coalesced", "0");
        f.put("first_event_id", "seq-" + from);
        f.put("last_event_id", "seq-" + to);
        f.put("first_timestamp", "0");
        f.put("last_timestamp", Long.toString(nowMillis));
        f.put("timestamp", Long.toString(nowMillis));
        f.put("event_id", "missed-" + instanceId + "-" + from + "-" + to);
        f.put("instance_id", orEmpty(instanceId));
        f.put("reason", "event log retention removed seqs " + from + " to " + to + " before Redis received them");
        f.put("seq", Long.toString(to));
        return f;
    }

    /** Whether the entry is a loss marker ({@code type=shed}) rather than an event. */
    static boolean isLossMarker(Map<String, String> fields) {
        return TYPE_SHED.equals(fields.get(TYPE));
    }

    /** Whether the entry is an update of an earlier event. */
    static boolean isUpdate(Map<String, String> fields) {
        return TYPE_UPDATE.equals(fields.get(TYPE));
    }

    /** The marker an entry written by {@link #fields(UsbEventSink.Loss)} holds. */
    static UsbEventSink.Loss toLoss(Map<String, String> f) {
        try {
            return new UsbEventSink.Loss(required(f, "event_id"), nullIfEmpty(f.get("instance_id")),
                    Long.parseLong(required(f, "count")), longOr(f.get("coalesced"), 0), required(f, "first_event_id"),
                    required(f, "last_event_id"), Long.parseLong(required(f, "first_timestamp")),
                    Long.parseLong(required(f, "last_timestamp")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed loss marker entry: " + e.getMessage(), e);
        }
    }

    /** The original stream had one source per entry; with several we name the first alphabetically. */
    private static String primarySource(UsbEvent event) {
        return event.sources().stream().sorted().findFirst().orElse(DEFAULT_SOURCE);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /**
     * The descriptor fields we know, under the USB specification names node-usb used for
     * {@code deviceDescriptor}, plus {@code interfaceClasses}. Numbers only, so no string escaping is needed.
     */
    static String descriptorJson(UsbDevice d) {
        StringJoiner interfaces = new StringJoiner(",", "[", "]");
        for (int c : d.interfaceClasses()) {
            interfaces.add(Integer.toString(c));
        }
        return "{\"idVendor\":" + d.vendorId()
                + ",\"idProduct\":" + d.productId()
                + ",\"bcdDevice\":" + d.bcdDevice()
                + ",\"bDeviceClass\":" + d.deviceClass()
                + ",\"bDeviceSubClass\":" + d.deviceSubclass()
                + ",\"bDeviceProtocol\":" + d.deviceProtocol()
                + ",\"interfaceClasses\":" + interfaces
                + "}";
    }

    private static final Pattern JSON_NUMBER = Pattern.compile("\"(\\w+)\":(-?\\d+)");
    private static final Pattern JSON_INTERFACES = Pattern.compile("\"interfaceClasses\":\\[([-\\d,]*)\\]");

    /**
     * Rebuilds the event from an entry written by {@link #fields}. Empty strings become null.
     *
     * @throws IllegalArgumentException when a required field is missing or malformed (such an entry can never be
     *         processed; the bridge treats it as a failure, so it ends in the dead-letter stream)
     */
    static UsbEvent toEvent(Map<String, String> f) {
        try {
            String descriptor = required(f, "device_descriptor");
            Map<String, Integer> numbers = new LinkedHashMap<>();
            Matcher m = JSON_NUMBER.matcher(descriptor);
            while (m.find()) {
                numbers.put(m.group(1), Integer.parseInt(m.group(2)));
            }
            List<Integer> interfaces = new ArrayList<>();
            Matcher im = JSON_INTERFACES.matcher(descriptor);
            if (im.find() && !im.group(1).isEmpty()) {
                for (String c : im.group(1).split(",")) {
                    interfaces.add(Integer.parseInt(c));
                }
            }
            UsbDevice device = new UsbDevice(
                    Integer.parseInt(required(f, "vendor_id"), 16),
                    Integer.parseInt(required(f, "product_id"), 16),
                    nullIfEmpty(f.get("serial_number")),
                    nullIfEmpty(f.get("manufacturer")),
                    nullIfEmpty(f.get("product")),
                    numbers.getOrDefault("bDeviceClass", 0),
                    numbers.getOrDefault("bDeviceSubClass", 0),
                    numbers.getOrDefault("bDeviceProtocol", 0),
                    interfaces,
                    numbers.getOrDefault("bcdDevice", 0),
                    intOr(f.get("bus_number"), -1),
                    intOr(f.get("device_address"), -1),
                    nullIfEmpty(f.get("port_path")),
                    nullIfEmpty(f.get("device_signature")));
            String sources = f.getOrDefault("sources", "");
            return new UsbEvent(required(f, "event_id"), nullIfEmpty(f.get("instance_id")),
                    UsbAction.parse(required(f, "action")), Long.parseLong(required(f, "timestamp")),
                    longOr(f.get("monotonic_ns"), 0), device,
                    sources.isEmpty() ? Set.of() : Set.of(sources.split(",")),
                    (int) longOr(f.get("flap_count"), 0));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed stream entry: " + e.getMessage(), e);
        }
    }

    private static String required(Map<String, String> f, String name) {
        String v = f.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("stream entry has no " + name);
        }
        return v;
    }

    private static String nullIfEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static int intOr(String s, int fallback) {
        return s == null || s.isEmpty() ? fallback : Integer.parseInt(s);
    }

    private static long longOr(String s, long fallback) {
        return s == null || s.isEmpty() ? fallback : Long.parseLong(s);
    }
}
