package io.autoweave.api.source;

import org.osgi.annotation.versioning.ConsumerType;

/** Registered by every detection source so operators can see its state. */
@ConsumerType
public interface UsbSource {

    /**
     * State of a source. {@code DEGRADED} (since 1.1): running, but its view of what is connected disagreed with the
     * kernel's for longer than its bound; it is being (or was just) re-initialised and says why in the detail.
     */
    enum State { STARTING, RUNNING, RESTARTING, FAILED, STOPPED, DEGRADED }

    /**
     * Health of a source at one moment.
     *
     * @param state current state
     * @param detail human-readable detail (last error, what it runs)
     * @param restarts how often it was restarted after a fault
     * @param reports how many reports it has made
     */
    record Health(State state, String detail, long restarts, long reports) {
    }

    /** The source name used in {@link DeviceReport#source()}. */
    String name();

    Health health();
}
