package io.autoweave.api.device;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The recent delivered events, numbered by a {@link HistoryEvent#sequence() sequence} that survives restarts (it
 * is kept in the event journal). Readers resume after the last sequence they saw; when that is older than
 * {@link #oldest()}, events were dropped from the history and the reader must say so, not skip silently.
 * Registered by the USB pipeline; safe to call from any thread.
 *
 * @since 1.2
 */
@ProviderType
public interface EventHistory {

    /**
     * The events after {@code sequence}, oldest first, at most {@code max}. Starts at {@link #oldest()} when
     * {@code sequence} is older than that (the caller compares to see what it missed).
     */
    List<HistoryEvent> after(long sequence, int max);

    /** The newest events of the devices with {@code signature} (lower- or upper-case hex), oldest first, at most max. */
    List<HistoryEvent> recent(String signature, int max);

    /** Sequence of the oldest event kept; {@link #newest()} + 1 when none is kept. */
    long oldest();

    /** Sequence of the newest event; 0 before the first event. */
    long newest();

    /**
     * Waits until an event newer than {@code sequence} exists, at most {@code timeoutMillis}.
     *
     * @return whether one exists
     */
    boolean await(long sequence, long timeoutMillis) throws InterruptedException;
}
