package io.autoweave.api.source;

import org.osgi.annotation.versioning.ConsumerType;

/** Registered by every detection source so operators can see its state. */
@ConsumerType
public interface UsbSource {

    /** State of a source. */
    enum State { STARTING, RUNNING, RESTARTING, FAILED, STOPPED }

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
