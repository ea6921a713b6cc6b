package io.autoweave.pluginhost.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.pluginhost.supervisor.IsolatedPlugin;

/** The isolated plugins' figures on {@code /metrics}, labelled with the plugin's symbolic name. */
@Component(service = MetricsSource.class)
public final class IsolatedMetrics implements MetricsSource {

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final List<IsolatedPluginComponent> plugins = new CopyOnWriteArrayList<>();

    @Override
    public void collect(MetricsCollector out) {
        for (IsolatedPluginComponent c : plugins) {
            IsolatedPlugin p = c.plugin();
            String bsn = c.name();
            if (p == null) {
                // refused configuration (audited), stopped, or on the block list: no host runs
                String state = c.info().state();
                for (IsolatedPlugin.State s : IsolatedPlugin.State.values()) {
                    out.gauge("autoweave_isolated_host_state", "1 for the host's current state",
                            s.name().equals(state) ? 1 : 0, "plugin", bsn, "state",
                            s.name().toLowerCase(java.util.Locale.ROOT));
                }
                continue;
            }
            String events = "Events for an isolated plugin: sent to its host, acknowledged by it, missed (host down, "
                    + "queue full, lost in a crash), withheld (not covered by its grant)";
            out.counter("autoweave_isolated_events_total", events, p.sent(), "plugin", bsn, "outcome", "sent");
            out.counter("autoweave_isolated_events_total", events, p.acked(), "plugin", bsn, "outcome", "acked");
            out.counter("autoweave_isolated_events_total", events, p.missed(), "plugin", bsn, "outcome", "missed");
            out.counter("autoweave_isolated_events_total", events, p.withheld(), "plugin", bsn, "outcome",
                    "withheld");
            out.counter("autoweave_isolated_host_starts_total", "Plugin host processes started", p.starts(),
                    "plugin", bsn);
            out.counter("autoweave_isolated_host_crashes_total", "Plugin host crashes (exit, kill, time-out, "
                    + "protocol violation)", p.crashes(), "plugin", bsn);
            out.counter("autoweave_isolated_log_dropped_total", "Console lines of the plugin not forwarded (rate "
                    + "limit)", p.logDropped(), "plugin", bsn);
            for (IsolatedPlugin.State s : IsolatedPlugin.State.values()) {
                out.gauge("autoweave_isolated_host_state", "1 for the host's current state", p.state() == s ? 1 : 0,
                        "plugin", bsn, "state", s.name().toLowerCase(java.util.Locale.ROOT));
            }
            out.gauge("autoweave_isolated_host_heap_bytes", "Heap in use in the plugin host (its heartbeat)",
                    p.heapBytes(), "plugin", bsn);
            out.gauge("autoweave_isolated_host_threads", "Threads in the plugin host (its heartbeat)", p.threads(),
                    "plugin", bsn);
        }
    }
}
