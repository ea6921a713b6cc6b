package io.autoweave.security.internal;

import java.util.Map;
import java.util.TreeMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.security.Violation;

/**
 * The security monitor's figures at {@code /metrics}: violations by plugin (each repeat counted), critical ones,
 * blocked plugins and the lockdown switch.
 */
@Component(service = MetricsSource.class)
public final class SecurityMetrics implements MetricsSource {
    private final SecurityMonitor monitor;

    @Activate
    public SecurityMetrics(@Reference SecurityMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public void collect(MetricsCollector out) {
        Map<String, long[]> byPlugin = new TreeMap<>();
        for (Violation v : monitor.violations(null)) {
            long[] counts = byPlugin.computeIfAbsent(v.plugin() == null ? "unknown" : v.plugin(), k -> new long[2]);
            long n = Math.max(1, v.repeats());
            counts[0] += n;
            if (v.critical()) {
                counts[1] += n;
            }
        }
        byPlugin.forEach((plugin, counts) -> {
            out.counter("autoweave_security_violations_total", "Permission denials and resource breaches recorded "
                    + "inside plugin code since start", counts[0], "plugin", plugin);
            out.counter("autoweave_security_critical_violations_total", "Violations that block at once", counts[1],
                    "plugin", plugin);
        });
        if (monitor instanceof SecurityMonitorImpl) {
            ((SecurityMonitorImpl) monitor).consoleLines().forEach((location, lines) -> {
                String plugin = SecurityMonitorImpl.bsnOf(location);
                out.counter("autoweave_plugin_console_lines_total", "Lines a plugin wrote to System.out/err, by "
                        + "outcome (passed with its name as prefix, or dropped over its rate limit)", lines[0],
                        "plugin", plugin, "outcome", "passed");
                out.counter("autoweave_plugin_console_lines_total", "Lines a plugin wrote to System.out/err, by "
                        + "outcome (passed with its name as prefix, or dropped over its rate limit)", lines[1],
                        "plugin", plugin, "outcome", "dropped");
            });
        }
        out.gauge("autoweave_security_blocked_plugins", "Plugins blocked (stopped, kept from resolving)",
                monitor.blocked().size());
        out.gauge("autoweave_security_lockdown", "1 while the system is locked down (no installs, no plugins run)",
                monitor.isLockdown() ? 1 : 0);
    }
}
