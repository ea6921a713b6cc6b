package io.autoweave.plugin.installer.internal;

import java.util.EnumMap;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.api.plugin.PluginState;
import io.autoweave.plugin.installer.PluginInstaller;

/** Plugins by lifecycle state at {@code /metrics} (every state listed, zeros included, so alerts can rely on it). */
@Component(service = MetricsSource.class)
public final class PluginMetrics implements MetricsSource {
    private final PluginInstaller installer;

    @Activate
    public PluginMetrics(@Reference PluginInstaller installer) {
        this.installer = installer;
    }

    @Override
    public void collect(MetricsCollector out) {
        Map<PluginState, Integer> counts = new EnumMap<>(PluginState.class);
        for (PluginState s : PluginState.values()) {
            counts.put(s, 0);
        }
        for (PluginState s : installer.states().values()) {
            if (s != null) {
                counts.merge(s, 1, Integer::sum);
            }
        }
        counts.forEach((state, n) -> out.gauge("autoweave_plugins", "Plugins (and recent install candidates) by "
                + "lifecycle state", n, "state", state.name().toLowerCase(java.util.Locale.ROOT)));
    }
}
