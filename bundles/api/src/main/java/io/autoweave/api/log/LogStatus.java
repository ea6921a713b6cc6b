package io.autoweave.api.log;

import org.osgi.annotation.versioning.ProviderType;

/**
 * State of the event log.
 *
 * @param writable whether the last write and fsync succeeded
 * @param reason why not, for operators ({@code ""} when writable)
 * @param buffered events taken but not yet committed (waiting in memory while the disk cannot be written)
 * @param lost events dropped because the memory buffer overflowed (each covered by a LOSS record)
 * @param sinceMillis when the current state began, epoch milliseconds
 */
@ProviderType
public record LogStatus(boolean writable, String reason, long buffered, long lost, long sinceMillis) {
    public LogStatus {
        reason = reason == null ? "" : reason;
    }
}
