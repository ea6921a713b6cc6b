package io.autoweave.redis.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;
import io.autoweave.fuzz.Contract;

/**
 * Redis stream entries as the bridge reads them back (anyone with access to the stream can write one). Contract:
 * an event or loss marker, or an {@link IllegalArgumentException} with a message (the entry goes to the dead-letter
 * stream); what is read writes back to fields that read as the same event.
 */
class StreamEntriesFuzzTest {

    private static final String[] FIELDS = {"event_id", "instance_id", "action", "timestamp", "monotonic_ns",
            "vendor_id", "product_id", "serial_number", "manufacturer", "product", "port_path", "device_signature",
            "device_descriptor", "bus_number", "device_address", "sources", "flap_count", "type", "count",
            "coalesced", "first_event_id", "last_event_id", "first_timestamp", "last_timestamp"};

    @ParserFuzzTest
    void streamEntriesReadOrAreRefusedAndRoundTrip(FuzzedDataProvider data) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name : FIELDS) {
            if (data.consumeBoolean()) {
                fields.put(name, data.consumeString(48));
            }
        }
        if (StreamEntries.isLossMarker(fields)) {
            UsbEventSink.Loss loss;
            try {
                loss = StreamEntries.toLoss(fields);
            } catch (IllegalArgumentException e) {
                Contract.explained(e);
                return;
            }
            Contract.sameAfterRoundTrip(loss, StreamEntries.toLoss(StreamEntries.fields(loss)), "loss marker");
            return;
        }
        UsbEvent event;
        try {
            event = StreamEntries.toEvent(fields);
        } catch (IllegalArgumentException e) {
            Contract.explained(e);
            return;
        }
        Contract.sameAfterRoundTrip(event, StreamEntries.toEvent(StreamEntries.fields(event)), "event");
    }
}
