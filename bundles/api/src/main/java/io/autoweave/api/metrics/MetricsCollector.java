package io.autoweave.api.metrics;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Receives figures from a {@link MetricsSource}. Labels are given as name/value pairs:
 * {@code counter("autoweave_events_total", "Events published", 12, "action", "attach")}.
 */
@ProviderType
public interface MetricsCollector {

    /** A monotonically increasing count. */
    void counter(String name, String help, double value, String... labels);

    /** A value that goes up and down. */
    void gauge(String name, String help, double value, String... labels);

    /**
     * A histogram with cumulative bucket counts ({@code bucketCounts[i]} = observations &lt;= {@code upperBounds[i]});
     * the +Inf bucket is {@code count}.
     */
    void histogram(String name, String help, double[] upperBounds, long[] bucketCounts, double sum, long count,
            String... labels);
}
