package io.autoweave.api.log;

import org.osgi.annotation.versioning.ProviderType;

import io.autoweave.api.device.UsbEvent;

/**
 * The write side of the event log, for the one writer (the USB pipeline). Appends never block and never fail: a
 * record is taken into memory at once and committed by the log's writer thread with the records around it (one
 * fsync per group). Records are committed in the order they were appended.
 */
@ProviderType
public interface EventLogAppender {

    /** Appends a decided event. */
    void append(UsbEvent event);

    /**
     * Appends a reconciled event: deduced, not seen happening (a device gone while the runtime was stopped).
     *
     * @param lastSeenMillis the last time the device was known to be there, epoch milliseconds (&gt; 0)
     */
    void appendReconciled(UsbEvent event, long lastSeenMillis);

    /**
     * Appends late information about an event appended earlier (same event id): the complete source list and the
     * device fields a late source added. The log finds the seq of that event; an update of an event it does not know
     * (older than what it remembers) is logged with the event's own fields and no link.
     */
    void appendUpdate(UsbEvent updated);
}
