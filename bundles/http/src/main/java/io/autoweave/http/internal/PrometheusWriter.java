package io.autoweave.http.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.autoweave.api.metrics.MetricsCollector;

/**
 * Prometheus text exposition format 0.0.4. Samples of one metric name are grouped under a single HELP/TYPE
 * header even when several sources report them.
 */
final class PrometheusWriter implements MetricsCollector {

    private final Map<String, StringBuilder> families = new LinkedHashMap<>();

    @Override
    public void counter(String name, String help, double value, String... labels) {
        sample(family(name, help, "counter"), name, labels, null, value);
    }

    @Override
    public void gauge(String name, String help, double value, String... labels) {
        sample(family(name, help, "gauge"), name, labels, null, value);
    }

    @Override
    public void histogram(String name, String help, double[] upperBounds, long[] bucketCounts, double sum, long count,
            String... labels) {
        if (upperBounds.length != bucketCounts.length) {
            throw new IllegalArgumentException(name + ": " + upperBounds.length + " bounds but " + bucketCounts.length + " counts");
        }
        StringBuilder f = family(name, help, "histogram");
        for (int i = 0; i < upperBounds.length; i++) {
            sample(f, name + "_bucket", labels, fmt(upperBounds[i]), bucketCounts[i]);
        }
        sample(f, name + "_bucket", labels, "+Inf", count);
        sample(f, name + "_sum", labels, null, sum);
        sample(f, name + "_count", labels, null, count);
    }

    private StringBuilder family(String name, String help, String type) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("invalid metric name '" + name + "'");
        }
        return families.computeIfAbsent(name, n -> new StringBuilder()
                .append("# HELP ").append(n).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n")).append('\n')
                .append("# TYPE ").append(n).append(' ').append(type).append('\n'));
    }

    private static void sample(StringBuilder b, String name, String[] labels, String le, double value) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException(name + ": labels must be name/value pairs");
        }
        b.append(name);
        if (labels.length > 0 || le != null) {
            b.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    b.append(',');
                }
                b.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            if (le != null) {
                if (labels.length > 0) {
                    b.append(',');
                }
                b.append("le=\"").append(le).append('"');
            }
            b.append('}');
        }
        b.append(' ').append(fmt(value)).append('\n');
    }

    static String escape(String v) {
        return v == null ? "" : v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    String text() {
        StringBuilder out = new StringBuilder();
        families.values().forEach(out::append);
        return out.toString();
    }
}
