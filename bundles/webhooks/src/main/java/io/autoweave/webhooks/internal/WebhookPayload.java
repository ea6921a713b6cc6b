package io.autoweave.webhooks.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.commons.json.Json;

/**
 * What a webhook POST carries, in the Standard Webhooks shape {@code {"type", "timestamp", "data"}}:
 * <ul>
 * <li>{@code usb.device.attached} / {@code usb.device.detached}: {@code data} holds the event's fields under the
 * same names as the Redis stream ({@code event_id, instance_id, action, vendor_id, product_id, serial_number,
 * manufacturer, product, device_class, interface_classes, bus_number, device_address, port_path,
 * device_signature, sources, flap_count, timestamp}) plus {@code sequence}, the event's position in the history;
 * the {@code webhook-id} is the event id, so receivers de-duplicate by it;</li>
 * <li>{@code autoweave.events.missed}: the history no longer held {@code count} events this endpoint had not
 * received (it was unreachable for longer than the history keeps); {@code data} holds {@code after},
 * {@code before} (sequences) and {@code count}.</li>
 * </ul>
 */
final class WebhookPayload {
    static final String MISSED = "autoweave.events.missed";

    final String id;
    final String type;
    final byte[] body;

    private WebhookPayload(String id, String type, Map<String, Object> data, long timestampMillis) {
        this.id = id;
        this.type = type;
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("type", type);
        root.put("timestamp", Instant.ofEpochMilli(timestampMillis).toString());
        root.put("data", data);
        this.body = Json.write(root).getBytes(StandardCharsets.UTF_8);
    }

    static String type(UsbAction action) {
        return action == UsbAction.ATTACH ? "usb.device.attached" : "usb.device.detached";
    }

    static WebhookPayload of(HistoryEvent h) {
        return new WebhookPayload(h.event().eventId(), type(h.event().action()), fields(h), h.event().timestampMillis());
    }

    static WebhookPayload missed(long after, long before, long nowMillis) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("after", after);
        data.put("before", before);
        data.put("count", before - after - 1);
        return new WebhookPayload("missed-" + after + "-" + before, MISSED, data, nowMillis);
    }

    /** The event's fields; also what {@link WebhookSubscription}'s filter is matched against. */
    static Map<String, Object> fields(HistoryEvent h) {
        UsbEvent e = h.event();
        UsbDevice d = e.device();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event_id", e.eventId());
        m.put("sequence", h.sequence());
        m.put("instance_id", e.instanceId());
        m.put("action", e.action() == UsbAction.ATTACH ? "attach" : "detach");
        m.put("timestamp", e.timestampMillis());
        m.put("vendor_id", d.vendorHex());
        m.put("product_id", d.productHex());
        m.put("serial_number", d.serial());
        m.put("manufacturer", d.manufacturer());
        m.put("product", d.product());
        m.put("device_class", d.deviceClass());
        m.put("interface_classes", d.interfaceClasses() == null ? List.of() : d.interfaceClasses());
        m.put("bus_number", d.busNumber() > 0 ? d.busNumber() : null);
        m.put("device_address", d.deviceAddress() > 0 ? d.deviceAddress() : null);
        m.put("port_path", d.portPath());
        m.put("device_signature", d.signature());
        m.put("sources", List.copyOf(e.sources()));
        m.put("flap_count", e.flapCount());
        return m;
    }
}
