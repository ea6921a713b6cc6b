package io.autoweave.api.source;

import java.util.Collection;

import io.autoweave.api.device.UsbDevice;

import org.osgi.annotation.versioning.ProviderType;

/** Provided by the pipeline; sources call it from their own threads. Calls return quickly and never throw for bad input. */
@ProviderType
public interface DeviceReportSink {

    /** An attach or detach seen by a source. */
    void report(DeviceReport report);

    /**
     * A full list of what {@code source} sees connected right now (a scan). The pipeline compares it with its
     * registry and emits the attaches and detaches that were missed, so a lost event is always repaired.
     */
    void snapshot(String source, Collection<UsbDevice> present);
}
