package io.autoweave.resources.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.api.plugin.PluginLocation;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.commons.json.Json;

/** {@code aw:limits} and {@code aw:resources}: the limits in force and the live figures of the resource enforcer. */
@Component(service = ResourceCommands.class,
        property = { "osgi.command.scope=aw", "osgi.command.function=limits", "osgi.command.function=resources" })
public final class ResourceCommands {
    private static final String NL = System.lineSeparator();

    private final BundleContext ctx;
    private final ResourceEnforcer enforcer;

    @Activate
    public ResourceCommands(BundleContext ctx, @Reference ResourceEnforcer enforcer) {
        this.ctx = ctx;
        this.enforcer = enforcer;
    }

    @Descriptor("the resource limits of every installed plugin (its level's defaults or its override) and the "
            + "defaults per level")
    public String limits(@Descriptor("print JSON: {defaults: {LEVEL: LIMITS}, plugins: [{plugin, level, limits}]}")
            @Parameter(names = "--json", presentValue = "true", absentValue = "false") boolean json) {
        if (json) {
            Map<String, Object> defaultsJson = new LinkedHashMap<>();
            for (SecurityLevel l : SecurityLevel.values()) {
                defaultsJson.put(l.name().toLowerCase(Locale.ROOT), limitsJson(enforcer.defaults().get(l)));
            }
            List<Map<String, Object>> plugins = new ArrayList<>();
            for (Bundle b : ctx.getBundles()) {
                SecurityLevel level = PluginLocation.levelOf(b.getLocation());
                if (level != null) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("plugin", b.getSymbolicName());
                    m.put("level", level.name().toLowerCase(Locale.ROOT));
                    m.put("limits", limitsJson(enforcer.limitsOf(b.getSymbolicName(), level)));
                    plugins.add(m);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("defaults", defaultsJson);
            out.put("plugins", plugins);
            return Json.write(out);
        }
        ResourceConfig config = enforcer.config();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-40s %-8s %-8s %6s %9s %7s %10s %6s %s%n", "plugin", "level", "applied", "cpu",
                "alloc MB/s", "threads", "timeout ms", "queue", "override"));
        for (SecurityLevel l : SecurityLevel.values()) {
            sb.append(row("(default)", l.name().toLowerCase(Locale.ROOT), enforcer.defaults().get(l)));
        }
        for (Bundle b : ctx.getBundles()) {
            SecurityLevel level = PluginLocation.levelOf(b.getLocation());
            if (level != null) {
                String bsn = b.getSymbolicName();
                sb.append(row(bsn, level.name().toLowerCase(Locale.ROOT), enforcer.limitsOf(bsn, level)));
            }
        }
        for (Map.Entry<String, Map<String, String>> o : enforcer.overrides().entrySet()) {
            sb.append(NL).append("override ").append(o.getKey()).append(": ").append(o.getValue());
        }
        sb.append(NL).append(String.format("sampling every %d ms, window %d ms, interrupt grace %d ms, throttle %d ms, "
                + "recycle after %d calls, heap threshold %d%%", config.sample_millis(), config.window_millis(),
                config.interrupt_grace_millis(), config.throttle_millis(), config.recycle_after_calls(),
                config.heap_threshold_percent()));
        return sb.toString();
    }

    private static Map<String, Object> limitsJson(Limits l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("level", l.level().name().toLowerCase(Locale.ROOT));
        m.put("cpu_share", l.cpuShare());
        m.put("alloc_bytes_per_second", l.allocBytesPerSecond());
        m.put("max_threads", l.maxThreads());
        m.put("call_timeout_ms", l.callTimeoutMillis());
        m.put("max_queue", l.maxQueue());
        m.put("overridden", l.overridden());
        return m;
    }

    private static String row(String bsn, String level, Limits l) {
        return String.format(Locale.ROOT, "%-40s %-8s %-8s %6.2f %9d %7d %10d %6d %s%n", bsn, level,
                l.level().name().toLowerCase(Locale.ROOT), l.cpuShare(), l.allocBytesPerSecond() / Limits.MB,
                l.maxThreads(), l.callTimeoutMillis(), l.maxQueue(), l.overridden() ? "yes" : "-");
    }

    @Descriptor("the limits of one plugin")
    public String limits(@Descriptor("plugin symbolic name") String plugin) {
        for (Bundle b : ctx.getBundles()) {
            SecurityLevel level = PluginLocation.levelOf(b.getLocation());
            if (level != null && plugin.equals(b.getSymbolicName())) {
                Limits l = enforcer.limitsOf(plugin, level);
                return String.format(Locale.ROOT, "%s installed at %s, limits of %s%s: cpu %.2f cores, alloc %d MB/s, "
                        + "threads %d, call time-out %d ms, queue %d", plugin, level.name().toLowerCase(Locale.ROOT),
                        l.level().name().toLowerCase(Locale.ROOT), l.overridden() ? " with its override" : "",
                        l.cpuShare(), l.allocBytesPerSecond() / Limits.MB, l.maxThreads(), l.callTimeoutMillis(),
                        l.maxQueue());
            }
        }
        return "no plugin " + plugin + " is installed (aw:plugins lists them)";
    }

    @Descriptor("live figures of every plugin (and of core bundles with listener workers) over the current window: "
            + "cpu% of one core, allocation rate, threads (own+workers), calls, p99 call time, queue depth, "
            + "shed/dropped events, breaches")
    public String resources(@Descriptor(RESOURCES_JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json) {
        return resources(json, null);
    }

    private static final String RESOURCES_JSON = "print JSON: {plugins: [{plugin, level, cpu_share, "
            + "alloc_bytes_per_second, own_threads, worker_threads, calls, p99_call_ms, queue, shed, dropped, breaches}]}";

    @Descriptor("live figures of one plugin")
    public String resources(@Descriptor(RESOURCES_JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json, @Descriptor("plugin symbolic name") String plugin) {
        List<Map<String, Object>> jsonRows = new ArrayList<>();
        StringBuilder sb = new StringBuilder(String.format("%-40s %-6s %7s %10s %9s %8s %8s %6s %12s %s%n", "plugin",
                "level", "cpu%", "alloc MB/s", "threads", "calls", "p99 ms", "queue", "shed/dropped", "breaches"));
        List<PluginAccount> list = enforcer.accounts();
        list.sort(Comparator.comparing(a -> a.bsn));
        for (PluginAccount a : list) {
            if (plugin != null && !plugin.equals(a.bsn)) {
                continue;
            }
            SecurityLevel level = PluginLocation.levelOf(a.location);
            PluginAccount.WorkerTotals t = a.workerTotals();
            long calls = t.calls();
            long p99 = t.p99CallNanos();
            int queue = t.queue();
            long shed = t.shed();
            long dropped = t.dropped();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("plugin", a.bsn);
            m.put("level", level == null ? "core" : level.name().toLowerCase(Locale.ROOT));
            m.put("cpu_share", a.cpuShare);
            m.put("alloc_bytes_per_second", a.allocPerSecond);
            m.put("own_threads", a.ownThreads);
            m.put("worker_threads", a.workerThreads);
            m.put("calls", calls);
            m.put("p99_call_ms", p99 / 1e6);
            m.put("queue", queue);
            m.put("shed", shed);
            m.put("dropped", dropped);
            m.put("breaches", new LinkedHashMap<>(a.breaches));
            jsonRows.add(m);
            sb.append(String.format(Locale.ROOT, "%-40s %-6s %7.1f %10.1f %9s %8d %8.1f %6d %12s %s%n", a.bsn,
                    level == null ? "core" : level.name().toLowerCase(Locale.ROOT), a.cpuShare * 100,
                    a.allocPerSecond / Limits.MB, a.ownThreads + "+" + a.workerThreads, calls, p99 / 1e6, queue,
                    shed + "/" + dropped, a.breaches.isEmpty() ? "-" : a.breaches.toString()));
        }
        if (json) {
            return Json.write(Map.of("plugins", jsonRows));
        }
        if (plugin != null && list.stream().noneMatch(a -> plugin.equals(a.bsn))) {
            return "no figures for " + plugin + " (not installed, not running, or not sampled yet)";
        }
        sb.append(String.format("%d samples, %d force-stops%s", enforcer.samples.sum(), enforcer.forceStops.sum(),
                enforcer.measuresAllocation() ? "" : "; allocation is not measurable on this JVM"));
        return sb.toString();
    }
}
