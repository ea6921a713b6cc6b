package io.autoweave.redis.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Map;

import org.junit.Test;

import io.autoweave.api.device.UsbEvent;

public class StreamEntriesTest {

    @Test
    public void anEntryDecodesBackToTheEventItWasWrittenFrom() {
        UsbEvent event = Events.event(3, 7);
        assertEquals(event, StreamEntries.toEvent(StreamEntries.fields(event)));
    }

    @Test
    public void anEntryWithoutTheRequiredFieldsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamEntries.toEvent(Map.of("event_id", "x", "action", "attach")));
        assertEquals("stream entry has no device_descriptor", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StreamEntries.toEvent(Map.of("garbage", "1")));
    }
}
