package io.autoweave.usb.linux.internal;

import java.util.concurrent.atomic.AtomicLong;

import io.autoweave.api.source.UsbSource;

/** A source's live health, written by its worker thread, read by any thread. */
final class HealthCell {

    private volatile UsbSource.State state;
    private volatile String detail;
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong reports = new AtomicLong();

    HealthCell(UsbSource.State state, String detail) {
        this.state = state;
        this.detail = detail;
    }

    /** Sets state and detail together; returns whether this is a change worth logging. */
    synchronized boolean set(UsbSource.State newState, String newDetail) {
        boolean changed = newState != state || !newDetail.equals(detail);
        state = newState;
        detail = newDetail;
        return changed;
    }

    UsbSource.State state() {
        return state;
    }

    void restarted() {
        restarts.incrementAndGet();
    }

    void reported() {
        reports.incrementAndGet();
    }

    synchronized UsbSource.Health snapshot() {
        return new UsbSource.Health(state, detail, restarts.get(), reports.get());
    }
}
