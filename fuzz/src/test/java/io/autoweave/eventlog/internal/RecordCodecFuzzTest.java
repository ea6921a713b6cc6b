package io.autoweave.eventlog.internal;

import java.util.Arrays;

import io.autoweave.api.log.LogRecord;
import io.autoweave.fuzz.Contract;
import io.autoweave.fuzz.ParserFuzzTest;

/**
 * The event log's binary records (events, updates, loss records), as read back from a segment after a crash, a torn
 * write or a corrupted disk (the frame's CRC catches most corruption; this is what a frame that passes it may hold).
 * Contract: a record, or an {@link IllegalArgumentException} with a message (the segment store stops there); what
 * decodes encodes to bytes that decode to the same record.
 */
class RecordCodecFuzzTest {

    @ParserFuzzTest
    void logRecordsDecodeOrAreRefusedAndRoundTrip(byte[] data) {
        LogRecord record;
        try {
            record = RecordCodec.decode(data, 0, data.length);
        } catch (IllegalArgumentException e) {
            Contract.explained(e);
            return;
        }
        byte[] encoded = RecordCodec.encode(record);
        Contract.sameAfterRoundTrip(record, RecordCodec.decode(encoded, 0, encoded.length),
                "record " + Arrays.toString(encoded));
    }
}
