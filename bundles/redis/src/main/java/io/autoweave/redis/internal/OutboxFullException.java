package io.autoweave.redis.internal;

import java.io.IOException;

/**
 * Thrown by {@link Outbox#append} when accepting the record would push the journal past its size bound. Nothing
 * was written; the caller decides whether to drop, retry later or raise an alarm. The outbox keeps its
 * {@link OutboxStats#fullAlarm() full alarm} set until an append succeeds again.
 */
final class OutboxFullException extends IOException {
    private static final long serialVersionUID = 1L;

    OutboxFullException(String message) {
        super(message);
    }
}
