package io.autoweave.usb.linux.internal;

/**
 * Bundle-internal service of the sysfs source: a live source that lost events (its monitor restarted) asks for
 * an immediate snapshot, which lets the pipeline repair them. The package is not exported, so only this bundle
 * can see it.
 */
public interface Resync {

    /** Requests a scan soon; returns at once. */
    void resync(String reason);
}
