package io.autoweave.webhooks.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbAction;
import io.autoweave.commons.event.EventJson;
import io.autoweave.commons.json.Json;

/**
 * What a webhook POST carries, in the Standard Webhooks shape {@code {"type", "timestamp", "data"}}:
 * <ul>
 * <li>{@code usb.device.attached} / {@code usb.device.detached}: {@code data} is the event as the REST API and its
 * SSE stream show it ({@link EventJson#event}: {@code seq, event_id, instance_id, action, timestamp, time, sources,
 * flap_count, device: {...}} with the Redis stream's field names); the {@code webhook-id} is the event id, so
 * receivers de-duplicate by it;</li>
 * <li>{@code usb.device.updated}: a later source reported an event already sent ({@code data} as above with
 * {@code type=update}, {@code updates} = the seq of the event it completes, the complete {@code sources});</li>
 * <li>{@code autoweave.events.lost}: the event log could not keep {@code count} events (the disk could not be written
 * and its memory buffer overflowed); {@code data} names the first and last of them;</li>
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
        return new WebhookPayload(h.event().eventId(), type(h.event().action()), EventJson.event(h),
                h.event().timestampMillis());
    }

    /** The payload of any event log record (its id is the event id, or {@code loss-SEQ} for a loss). */
    static WebhookPayload of(io.autoweave.api.log.LogRecord r) {
        return switch (r.kind()) {
            case EVENT -> of(new HistoryEvent(r.seq(), r.event()));
            case UPDATE -> new WebhookPayload(r.event().eventId() + "-update-" + r.seq(), "usb.device.updated",
                    EventJson.record(r), r.event().timestampMillis());
            case LOSS -> new WebhookPayload("loss-" + r.seq(), "autoweave.events.lost", EventJson.record(r),
                    r.loss().lastTimestampMillis());
        };
    }

    static WebhookPayload missed(long after, long before, long nowMillis) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("after", after);
        data.put("before", before);
        data.put("count", before - after - 1);
        return new WebhookPayload("missed-" + after + "-" + before, MISSED, data, nowMillis);
    }
}
