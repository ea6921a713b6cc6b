package io.autoweave.api.metrics;

import org.osgi.annotation.versioning.ConsumerType;

/** Whiteboard service: writes its current figures when {@code /metrics} is scraped. Must be fast and non-blocking. */
@ConsumerType
public interface MetricsSource {
    void collect(MetricsCollector out);
}
