package io.autoweave.pluginhost.channel;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.commons.json.JsonParser;

public class EventFieldsTest {

    static UsbEvent event() {
        UsbDevice d = new UsbDevice(0x046d, 0xc077, "S/1 \"x\"", "Logitech", null, 0, 0, 0, List.of(3, 8), 0x0100, 1,
                7, "1-1.2", "sig");
        return new UsbEvent("e-1", "inst", UsbAction.DETACH, 1_765_000_000_000L, 123_456_789_012L, d,
                Set.of("udev", "sysfs"), 2);
    }

    @Test
    public void anEventCrossesTheChannelUnchanged() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Frames.write(Frames.output(bytes), Frames.of("event", "seq", 1, "event", EventFields.of(event())));
        Map<String, Object> f = Frames.read(Frames.input(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(event(), EventFields.parse(f.get("event")));
    }

    @Test
    public void aMissingOrMistypedFieldIsAClearErrorNotAClassCastException() {
        String[] bad = { "5", "{}", "{\"device\":\"x\"}",
            "{\"eventId\":\"e\",\"action\":\"ATTACH\",\"timestampMillis\":1,\"monotonicNanos\":1,\"flapCount\":0,"
                + "\"device\":{\"vendorId\":\"046d\"}}",
            "{\"eventId\":\"e\",\"action\":\"EXPLODE\",\"timestampMillis\":1,\"monotonicNanos\":1,\"flapCount\":0,"
                + "\"device\":{}}" };
        for (String json : bad) {
            assertThrows(json, IllegalArgumentException.class, () -> EventFields.parse(JsonParser.parse(json)));
        }
    }
}
