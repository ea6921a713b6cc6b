package io.autoweave.http.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class PrometheusWriterTest {

    @Test
    public void samplesOfOneNameShareOneHeaderAndLabelsAreEscaped() {
        PrometheusWriter w = new PrometheusWriter();
        w.counter("autoweave_events_total", "Events", 3, "action", "attach");
        w.counter("autoweave_events_total", "Events", 2, "action", "de\"tach");
        w.histogram("autoweave_latency_seconds", "Latency", new double[] { 0.001, 0.01 }, new long[] { 4, 9 }, 0.05, 10);
        assertEquals(String.join("\n",
                "# HELP autoweave_events_total Events",
                "# TYPE autoweave_events_total counter",
                "autoweave_events_total{action=\"attach\"} 3",
                "autoweave_events_total{action=\"de\\\"tach\"} 2",
                "# HELP autoweave_latency_seconds Latency",
                "# TYPE autoweave_latency_seconds histogram",
                "autoweave_latency_seconds_bucket{le=\"0.001\"} 4",
                "autoweave_latency_seconds_bucket{le=\"0.01\"} 9",
                "autoweave_latency_seconds_bucket{le=\"+Inf\"} 10",
                "autoweave_latency_seconds_sum 0.05",
                "autoweave_latency_seconds_count 10", ""), w.text());
    }
}
