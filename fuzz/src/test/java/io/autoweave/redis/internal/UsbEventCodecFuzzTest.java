package io.autoweave.redis.internal;

import java.util.Arrays;

import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;
import io.autoweave.fuzz.Contract;

/**
 * The outbox journal's binary records (events and loss markers), as read back after a crash or a torn write.
 * Contract: a record, or an {@link IllegalArgumentException} with a message (the journal skips it); what decodes
 * encodes to bytes that decode to the same record.
 */
class UsbEventCodecFuzzTest {

    @ParserFuzzTest
    void journalRecordsDecodeOrAreRefusedAndRoundTrip(byte[] data) {
        if (UsbEventCodec.isLoss(data)) {
            UsbEventSink.Loss loss;
            try {
                loss = UsbEventCodec.decodeLoss(data);
            } catch (IllegalArgumentException e) {
                Contract.explained(e);
                return;
            }
            Contract.sameAfterRoundTrip(loss, UsbEventCodec.decodeLoss(UsbEventCodec.encode(loss)), "loss marker");
            return;
        }
        UsbEvent event;
        try {
            event = UsbEventCodec.decode(data);
        } catch (IllegalArgumentException e) {
            Contract.explained(e);
            return;
        }
        byte[] encoded = UsbEventCodec.encode(event);
        Contract.sameAfterRoundTrip(event, UsbEventCodec.decode(encoded), "event " + Arrays.toString(encoded));
    }
}
