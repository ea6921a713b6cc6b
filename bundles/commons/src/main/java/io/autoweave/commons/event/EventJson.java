package io.autoweave.commons.event;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.autoweave.api.device.ConnectedDevice;
import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbDevice;

/**
 * The JSON shape of devices and events for the REST API, SSE and webhooks (field names as in the Redis stream and
 * the events journal), as maps for {@link io.autoweave.commons.json.Json#write}.
 */
public final class EventJson {
    private EventJson() {
    }

    public static Map<String, Object> device(UsbDevice d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device_signature", d.signature());
        m.put("vendor_id", d.vendorHex());
        m.put("product_id", d.productHex());
        m.put("serial_number", d.serial());
        m.put("manufacturer", d.manufacturer());
        m.put("product", d.product());
        m.put("device_class", d.deviceClass());
        m.put("device_subclass", d.deviceSubclass());
        m.put("device_protocol", d.deviceProtocol());
        m.put("interface_classes", d.interfaceClasses());
        m.put("bcd_device", String.format("%04x", d.bcdDevice()));
        m.put("bus_number", d.busNumber() < 0 ? null : d.busNumber());
        m.put("device_address", d.deviceAddress() < 0 ? null : d.deviceAddress());
        m.put("port_path", d.portPath());
        return m;
    }

    public static Map<String, Object> connected(ConnectedDevice c) {
        Map<String, Object> m = device(c.device());
        m.put("since", Instant.ofEpochMilli(c.sinceMillis()).toString());
        m.put("since_ms", c.sinceMillis());
        m.put("attach_event_id", c.attachEventId());
        m.put("sources", new ArrayList<>(c.sources()));
        m.put("allowed", c.allowed());
        m.put("flap_count", c.flapCount());
        return m;
    }

    public static Map<String, Object> event(HistoryEvent h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", h.sequence());
        m.put("event_id", h.event().eventId());
        m.put("instance_id", h.event().instanceId());
        m.put("action", h.event().action().wireName());
        m.put("timestamp", h.event().timestampMillis());
        m.put("time", Instant.ofEpochMilli(h.event().timestampMillis()).toString());
        m.put("sources", new ArrayList<>(h.event().sources()));
        m.put("flap_count", h.event().flapCount());
        m.put("device", device(h.event().device()));
        return m;
    }

    /**
     * One event log record: an event as {@link #event(HistoryEvent)} (plus {@code reconciled} and {@code last_seen}
     * when it was deduced rather than seen); an update as its event with {@code type=update} and {@code updates} (the
     * seq it completes); a loss as {@code type=loss} with {@code count}, first/last event ids and times, {@code reason}.
     */
    public static Map<String, Object> record(io.autoweave.api.log.LogRecord r) {
        if (r.kind() == io.autoweave.api.log.LogRecord.Kind.LOSS) {
            Map<String, Object> m = new LinkedHashMap<>();
            io.autoweave.api.log.LogRecord.Loss l = r.loss();
            m.put("seq", r.seq());
            m.put("type", "loss");
            m.put("count", l.count());
            m.put("first_event_id", l.firstEventId());
            m.put("last_event_id", l.lastEventId());
            m.put("first_timestamp", l.firstTimestampMillis());
            m.put("last_timestamp", l.lastTimestampMillis());
            m.put("reason", l.reason());
            return m;
        }
        Map<String, Object> m = event(new HistoryEvent(r.seq(), r.event()));
        if (r.kind() == io.autoweave.api.log.LogRecord.Kind.UPDATE) {
            Map<String, Object> u = new LinkedHashMap<>();
            u.put("seq", r.seq());
            u.put("type", "update");
            u.put("updates", r.updates());
            m.remove("seq");
            u.putAll(m);
            return u;
        }
        if (r.reconciled()) {
            m.put("reconciled", true);
            m.put("last_seen", r.reconciledLastSeenMillis());
        }
        return m;
    }

    /** The SSE event name of a record: {@code attach}, {@code detach}, {@code update} or {@code loss}. */
    public static String recordName(io.autoweave.api.log.LogRecord r) {
        return switch (r.kind()) {
            case EVENT -> r.event().action().wireName();
            case UPDATE -> "update";
            case LOSS -> "loss";
        };
    }

    public static List<Map<String, Object>> events(List<HistoryEvent> list) {
        List<Map<String, Object>> out = new ArrayList<>(list.size());
        for (HistoryEvent h : list) {
            out.add(event(h));
        }
        return out;
    }

    /**
     * The event's fields and its device's in one flat map, without nulls: what LDAP filters over an event (webhook
     * subscriptions) match against, e.g. {@code (&(action=attach)(vendor_id=046d))}.
     */
    public static Map<String, Object> flat(HistoryEvent h) {
        Map<String, Object> m = new LinkedHashMap<>(event(h));
        Object device = m.remove("device");
        if (device instanceof Map<?, ?> d) {
            for (Map.Entry<?, ?> e : d.entrySet()) {
                m.put(String.valueOf(e.getKey()), e.getValue());
            }
        }
        m.values().removeIf(java.util.Objects::isNull);
        return m;
    }
}
