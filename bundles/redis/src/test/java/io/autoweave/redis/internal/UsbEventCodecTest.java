package io.autoweave.redis.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;

public class UsbEventCodecTest {

    @Test
    public void everyFieldSurvivesARoundTripIncludingNullsAndUnicode() {
        UsbDevice device = new UsbDevice(0xFFFF, 0, null, "Ünïcødé ☃", "", 0xFF, -1, 2, List.of(8, 255),
                0x0100, -1, -1, null, null);
        UsbEvent event = new UsbEvent("id-1", null, UsbAction.DETACH, Long.MIN_VALUE, Long.MAX_VALUE, device,
                Set.of("udev", "libusb"), 7);
        assertEquals(event, UsbEventCodec.decode(UsbEventCodec.encode(event)));
        UsbEvent typical = Events.event(3, 42);
        assertEquals(typical, UsbEventCodec.decode(UsbEventCodec.encode(typical)));
    }

    @Test
    public void encodingIsCompact() {
        byte[] bytes = UsbEventCodec.encode(Events.event(1, 1));
        // strings dominate; numbers cost 1-3 bytes each, longs 8
        assertEquals(true, bytes.length < 120);
    }

    @Test
    public void truncatedOrPaddedBytesAreRejected() {
        byte[] bytes = UsbEventCodec.encode(Events.event(1, 1));
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] truncated = Arrays.copyOf(bytes, cut);
            assertThrows(IllegalArgumentException.class, () -> UsbEventCodec.decode(truncated));
        }
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IllegalArgumentException.class, () -> UsbEventCodec.decode(padded));
    }

    @Test
    public void unknownVersionIsRejected() {
        byte[] bytes = UsbEventCodec.encode(Events.event(1, 1));
        bytes[0] = 99;
        assertThrows(IllegalArgumentException.class, () -> UsbEventCodec.decode(bytes));
    }

    @Test
    public void aLossMarkerSurvivesARoundTripAndIsToldApartFromAnEvent() {
        UsbEventSink.Loss loss = new UsbEventSink.Loss("m-1", null, 12, 3, "e-1", "e-12", 100, 200);
        byte[] bytes = UsbEventCodec.encode(loss);
        assertEquals(true, UsbEventCodec.isLoss(bytes));
        assertEquals(false, UsbEventCodec.isLoss(UsbEventCodec.encode(Events.event(1, 1))));
        assertEquals(loss, UsbEventCodec.decodeLoss(bytes));
        assertThrows(IllegalArgumentException.class, () -> UsbEventCodec.decode(bytes));
        assertThrows(IllegalArgumentException.class, () -> UsbEventCodec.decodeLoss(Arrays.copyOf(bytes, bytes.length - 1)));
    }
}
