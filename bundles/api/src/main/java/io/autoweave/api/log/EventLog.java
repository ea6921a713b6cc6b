package io.autoweave.api.log;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The read side of the durable event log. Every record a reader gets is committed (on disk, fsynced): after a crash
 * every reader's view is a prefix of the log. Readers keep their own position (a {@code seq}); durable readers keep
 * it in a {@link #cursor(String) named cursor}. Safe to call from any thread.
 *
 * <p>Retention drops the oldest records by size and age. A reader whose position is older than
 * {@link #firstSeq()} - 1 has missed records {@code position + 1} to {@code firstSeq() - 1}: every one of those was
 * assigned (sequence numbers are never reserved ahead or skipped), so a reader can say exactly what it missed.
 */
@ProviderType
public interface EventLog {

    /** Seq of the oldest record still kept; {@link #lastSeq()} + 1 when none is kept. */
    long firstSeq();

    /** Seq of the newest committed record; 0 before the first. */
    long lastSeq();

    /**
     * The committed records after {@code afterSeq}, oldest first, at most {@code max}. When {@code afterSeq} is older
     * than {@link #firstSeq()} - 1 the answer starts at {@link #firstSeq()} (compare to see what was missed).
     */
    List<LogRecord> read(long afterSeq, int max);

    /**
     * Waits until a record after {@code afterSeq} is committed, at most {@code timeoutMillis}.
     *
     * @return whether one exists
     */
    boolean await(long afterSeq, long timeoutMillis) throws InterruptedException;

    /** The newest EVENT and UPDATE records of devices with {@code signature}, oldest first, at most {@code max}. */
    List<LogRecord> recent(String signature, int max);

    /**
     * The durable cursor {@code name} (letters, digits, {@code . _ -}; at most 64): where a consumer that must not
     * lose records resumes after a restart. Created at the current end of the log when new.
     */
    LogCursor cursor(String name);

    /** Whether records are being committed, and why not when they are not. */
    LogStatus status();

    /**
     * The devices the log says are connected: the attach record of every device attached and not detached since
     * (keyed by signature and port path), with the updates of that attach folded in, oldest first. At start this is
     * what the previous process lifetime left connected, which the pipeline reconciles against what the sources
     * find.
     */
    List<LogRecord> connected();

    /**
     * When the log was last known running, epoch milliseconds: the time of its last clean stop, else of its newest
     * commit; 0 when it never held a record. The last time the devices of {@link #connected()} were known connected.
     */
    long lastAliveMillis();
}
