/**
 * Metrics whiteboard: a bundle registers {@link io.autoweave.api.metrics.MetricsSource} and its figures appear at
 * {@code /metrics} in the Prometheus text format. Names follow Prometheus conventions ({@code autoweave_..._total}
 * for counters, base units).
 */
@Export
@Version("1.0.0")
package io.autoweave.api.metrics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
