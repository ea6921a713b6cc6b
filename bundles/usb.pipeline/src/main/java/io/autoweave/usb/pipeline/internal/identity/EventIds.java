package io.autoweave.usb.pipeline.internal.identity;

import java.security.SecureRandom;
import java.util.Random;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Time-ordered event ids: UUID version 7 (RFC 9562), 48 bits of epoch milliseconds, then a 12-bit counter that
 * keeps ids issued within one millisecond in order, then 62 random bits. Ids sort by creation time as strings,
 * which makes stream replays and logs easy to read; uniqueness comes from the random bits.
 */
public final class EventIds implements Supplier<String> {

    private final LongSupplier wallMillis;
    private final Random random;
    private long lastMillis = -1;
    private int counter;

    public EventIds(LongSupplier wallMillis, Random random) {
        this.wallMillis = wallMillis;
        this.random = random;
    }

    public static EventIds system() {
        return new EventIds(System::currentTimeMillis, new SecureRandom());
    }

    @Override
    public synchronized String get() {
        return next().toString();
    }

    synchronized UUID next() {
        long millis = wallMillis.getAsLong();
        if (millis <= lastMillis) {
            // same millisecond, or the wall clock stepped back: stay monotonic by counting on from the last id
            millis = lastMillis;
            counter++;
            if (counter > 0xFFF) {
                millis++;
                counter = 0;
            }
        } else {
            counter = 0;
        }
        lastMillis = millis;
        long msb = (millis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000L | counter;
        long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
