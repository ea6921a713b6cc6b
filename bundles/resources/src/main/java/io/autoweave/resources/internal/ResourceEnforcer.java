package io.autoweave.resources.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.api.plugin.PluginWorkers;
import io.autoweave.api.plugin.PluginLocation;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.api.plugin.WorkerFigures;
import io.autoweave.security.SecurityMonitor;

/**
 * Measures every plugin continuously and applies its level's action when it breaks a limit.
 *
 * <p><b>Attribution</b>: a plugin's threads are (1) the runtime's worker threads that call into it (every
 * {@link PluginWorkers} provider: the USB listener workers, including abandoned ones still alive) and (2) the
 * threads in its own thread group, which the security monitor gives every thread created while the plugin's code is
 * the innermost bundle code on the stack. CPU time and allocated bytes are read per thread id from the JVM
 * ({@link ThreadMeter}) every sampling period. Not attributed, by design or because it cannot be: plugin code that
 * runs on a runtime thread through a service call or a callback other than a worker (it is charged to that
 * thread); threads created from a runtime thread on a plugin's behalf (they land in the runtime's group); the CPU a
 * thread used between its last sample and its end; memory a plugin retains (only allocation is measurable per thread;
 * heap pressure is attributed to the top allocator of the window, which is a good guess, not a proof).
 *
 * <p><b>Actions</b>: every breach is a violation in the security monitor (kind, figure, limit; at most one per kind,
 * plugin and window). Low: nothing more. Medium: its events are shed for the throttle period and its own threads
 * get the lowest priority (advisory: Linux ignores Java priorities unless the JVM is told otherwise). High: the
 * plugin is blocked (stopped, kept from resolving, remembered). A listener call over its time-out is interrupted;
 * if it has not returned after the grace period the plugin is unresponsive: its worker is abandoned and replaced,
 * and at medium it is force-stopped, at high blocked.
 *
 * <p><b>Size.</b> Why one class of over 500 lines: one sampling round measures, compares with the limits and acts on
 * the same per-plugin accounts in one pass (the commands are in ResourceCommands); split, the accounts would be
 * shared mutable state between classes.
 */
@Component(service = { ResourceEnforcer.class, MetricsSource.class }, immediate = true,
        configurationPid = ResourceEnforcer.PID)
@Designate(ocd = ResourceConfig.class)
public final class ResourceEnforcer implements MetricsSource {
    static final String PID = "io.autoweave.resources";
    private static final Logger LOG = LoggerFactory.getLogger(ResourceEnforcer.class);

    private final BundleContext ctx;
    private final SecurityMonitor monitor;
    // the configuration in force (last good, see LastGoodConfig): replaced together by modified()
    private volatile ResourceConfig config;
    private volatile Map<SecurityLevel, Limits> defaults;
    private volatile Map<String, Map<String, String>> overrides;
    private volatile long windowNanos;
    private final LastGoodConfig<ResourceConfig, Checked> lastGood;
    private ScheduledFuture<?> sampling;
    private final ThreadMeter meter = new ThreadMeter();
    private final Map<Long, PluginAccount> accounts = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor sampler;
    private final List<MemoryPoolMXBean> watchedPools = new ArrayList<>();
    private long heapBreachesSeen;
    final LongAdder samples = new LongAdder();
    final LongAdder forceStops = new LongAdder();

    final List<PluginWorkers> workers = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addWorkers(PluginWorkers w) {
        workers.add(w);
    }

    void removeWorkers(PluginWorkers w) {
        workers.remove(w);
    }

    /** A configuration that checked out, with the limits built from it. */
    record Checked(ResourceConfig config, Map<SecurityLevel, Limits> defaults,
            Map<String, Map<String, String>> overrides) {
    }

    static Checked check(ResourceConfig config) {
        ConfigRefusal.range("sample.millis", config.sample_millis(), 20, 10_000);
        ConfigRefusal.range("window.millis", config.window_millis(), 2L * config.sample_millis(), 600_000);
        ConfigRefusal.atLeast("interrupt.grace.millis", config.interrupt_grace_millis(), 0);
        ConfigRefusal.atLeast("throttle.millis", config.throttle_millis(), 0);
        ConfigRefusal.atLeast("recycle.after.calls", config.recycle_after_calls(), 0);
        ConfigRefusal.atLeast("stop.timeout.millis", config.stop_timeout_millis(), 1);
        ConfigRefusal.range("heap.threshold.percent", config.heap_threshold_percent(), 0, 99);
        Map<SecurityLevel, Limits> defaults = Limits.defaults(config);
        try {
            return new Checked(config, defaults, Limits.overrides(config.overrides(), defaults));
        } catch (IllegalArgumentException e) {
            throw new ConfigRefusal("overrides", String.join(",", config.overrides()), e.getMessage());
        }
    }

    @Activate
    public ResourceEnforcer(BundleContext ctx, ResourceConfig config, @Reference SecurityMonitor monitor,
            Map<String, Object> properties) {
        this.lastGood = new LastGoodConfig<>(PID, ResourceConfig.class, ResourceEnforcer::check);
        Checked checked = lastGood.start(ctx, config, properties);
        this.ctx = ctx;
        this.monitor = monitor;
        apply(checked);
        if (!meter.measuresAllocation()) {
            LOG.warn("this JVM does not measure allocation per thread: allocation limits are not enforced");
        }
        watchHeap(this.config.heap_threshold_percent());
        this.sampler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "autoweave-resource-enforcer");
            t.setDaemon(true);
            return t;
        });
        schedule();
        LOG.info("resource enforcer active: sampling every {} ms over {} ms windows, {} override(s)",
                this.config.sample_millis(), this.config.window_millis(), overrides.size());
    }

    private void apply(Checked c) {
        this.defaults = c.defaults();
        this.overrides = c.overrides();
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(c.config().window_millis());
        this.config = c.config();
    }

    private synchronized void schedule() {
        if (sampling != null) {
            sampling.cancel(false);
        }
        long every = config.sample_millis();
        sampling = sampler.scheduleWithFixedDelay(this::sampleSafely, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * A change applies in place: accounts, figures and the service stay; a refused change keeps the limits in force.
     */
    @Modified
    void modified(ResourceConfig config, Map<String, Object> properties) {
        lastGood.modified(config, properties).ifPresent(c -> {
            ResourceConfig old = this.config;
            apply(c);
            if (old.sample_millis() != c.config().sample_millis()) {
                schedule();
            }
            if (old.heap_threshold_percent() != c.config().heap_threshold_percent()) {
                synchronized (this) {
                    for (MemoryPoolMXBean pool : watchedPools) {
                        pool.setCollectionUsageThreshold(0);
                    }
                    watchedPools.clear();
                    watchHeap(c.config().heap_threshold_percent());
                }
            }
            LOG.info("resource enforcer reconfigured in place: sampling every {} ms over {} ms windows, {} override(s)",
                    c.config().sample_millis(), c.config().window_millis(), c.overrides().size());
        });
    }

    @Deactivate
    void deactivate() {
        lastGood.close();
        sampler.shutdownNow();
        for (MemoryPoolMXBean pool : watchedPools) {
            pool.setCollectionUsageThreshold(0); // 0 switches the threshold off again
        }
        try {
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- heap pressure ---------------------------------------------------------------------------------------------

    /**
     * Sets the collection-usage threshold of each heap pool that supports one (the old generation: what is still
     * there after a collection is live data, not garbage). The sampler reads how often it was exceeded (the JVM
     * counts every collection that leaves the pool above it): polling rather than JMX notifications, which come only
     * when the usage crosses the threshold, not while it stays above. The thresholds are JVM-wide: another component
     * setting them would override these.
     */
    private void watchHeap(int percent) {
        if (percent == 0) {
            return;
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported()
                    && pool.getUsage().getMax() > 0) {
                pool.setCollectionUsageThreshold(pool.getUsage().getMax() * percent / 100);
                watchedPools.add(pool);
            }
        }
        heapBreachesSeen = heapBreaches();
    }

    private long heapBreaches() {
        long n = 0;
        for (MemoryPoolMXBean pool : watchedPools) {
            n += pool.getCollectionUsageThresholdCount();
        }
        return n;
    }

    // ---- sampling --------------------------------------------------------------------------------------------------

    private void sampleSafely() {
        try {
            sample();
        } catch (RuntimeException e) {
            LOG.error("resource sampling failed: {}", e.toString(), e);
        }
    }

    private record Worked(PluginWorkers provider, WorkerFigures figures) {
    }

    void sample() {
        long now = System.nanoTime();
        Map<Long, List<Worked>> byBundle = new HashMap<>();
        for (PluginWorkers p : workers) {
            for (WorkerFigures f : p.figures()) {
                byBundle.computeIfAbsent(f.bundleId(), k -> new ArrayList<>()).add(new Worked(p, f));
            }
        }
        Set<Long> present = new LinkedHashSet<>();
        for (Bundle b : ctx.getBundles()) {
            String location = b.getLocation();
            boolean plugin = PluginLocation.isPlugin(location);
            List<Worked> worked = byBundle.getOrDefault(b.getBundleId(), List.of());
            if (!plugin && worked.isEmpty()) {
                continue;
            }
            List<Thread> own = plugin ? monitor.pluginThreads(location) : List.of();
            if (plugin && own.isEmpty() && worked.isEmpty() && b.getState() != Bundle.ACTIVE) {
                continue;
            }
            present.add(b.getBundleId());
            String bsn = b.getSymbolicName() == null ? location : b.getSymbolicName();
            PluginAccount account = accounts.computeIfAbsent(b.getBundleId(),
                    id -> new PluginAccount(id, bsn, location));
            Set<Long> ids = new LinkedHashSet<>();
            int workerThreads = 0;
            for (Worked w : worked) {
                ids.addAll(w.figures().threadIds());
                workerThreads += w.figures().threadIds().size();
            }
            int ownLive = 0;
            for (Thread t : own) {
                if (t.isAlive()) {
                    ids.add(t.getId());
                    ownLive++;
                }
            }
            long[] idArray = ids.stream().mapToLong(Long::longValue).toArray();
            account.sample(now, idArray, meter.cpuNanos(idArray), meter.allocatedBytes(idArray), windowNanos);
            account.ownThreads = ownLive;
            account.workerThreads = workerThreads;
            account.workers = worked.stream().map(Worked::figures).toList();
            SecurityLevel level = plugin ? PluginLocation.levelOf(location) : null;
            if (level != null && !monitor.isBlocked(bsn)) {
                enforce(b, account, limitsOf(bsn, level), worked, own, now);
            }
            recycleWorn(b, worked);
        }
        accounts.keySet().retainAll(present);
        long heap = heapBreaches();
        if (heap != heapBreachesSeen) {
            heapBreachesSeen = heap;
            attributeHeapPressure(now);
        }
        samples.increment();
    }

    private void recycleWorn(Bundle b, List<Worked> worked) {
        long after = config.recycle_after_calls();
        if (after <= 0) {
            return;
        }
        for (Worked w : worked) {
            if (w.figures().callsOnThread() >= after && w.figures().runningCallNanos() == 0) {
                w.provider().recycle(b.getBundleId(), false, "after " + w.figures().callsOnThread() + " calls");
            }
        }
    }

    private void enforce(Bundle b, PluginAccount a, Limits l, List<Worked> worked, List<Thread> own, long now) {
        if (a.windowFull && a.cpuShare > l.cpuShare()) {
            breach(b, a, l, "cpu", String.format(Locale.ROOT, "%.2f cores over %d ms > %.2f", a.cpuShare,
                    config.window_millis(), l.cpuShare()), worked, own, now);
        }
        if (a.windowFull && meter.measuresAllocation() && a.allocPerSecond > l.allocBytesPerSecond()) {
            breach(b, a, l, "alloc", String.format(Locale.ROOT, "%.1f MB/s > %d MB/s", a.allocPerSecond / Limits.MB,
                    l.allocBytesPerSecond() / Limits.MB), worked, own, now);
        }
        int stuck = worked.stream().mapToInt(w -> w.figures().abandonedAlive()).sum();
        if (a.ownThreads + stuck > l.maxThreads()) {
            breach(b, a, l, "threads", (a.ownThreads + stuck) + " live threads (" + a.ownThreads + " its own, " + stuck
                    + " abandoned workers stuck in its code) > " + l.maxThreads(), worked, own, now);
        }
        for (Worked w : worked) {
            WorkerFigures f = w.figures();
            if (f.queueDepth() > l.maxQueue()) {
                breach(b, a, l, "queue", f.queueDepth() + " events waiting > " + l.maxQueue(), worked, own, now);
            }
            long timeout = TimeUnit.MILLISECONDS.toNanos(l.callTimeoutMillis());
            if (f.runningCallNanos() <= timeout || f.threadIds().isEmpty()) {
                continue;
            }
            String call = f.threadIds().get(0) + ":" + f.calls();
            if (!call.equals(a.interruptedCall)) {
                a.interruptedCall = call;
                a.interruptedAt = now;
                w.provider().interrupt(b.getBundleId());
                breach(b, a, l, "call-timeout", "a listener call ran " + f.runningCallNanos() / 1_000_000
                        + " ms > " + l.callTimeoutMillis() + " ms; interrupted", worked, own, now);
            } else if (now - a.interruptedAt > TimeUnit.MILLISECONDS.toNanos(config.interrupt_grace_millis())) {
                a.interruptedCall = null;
                w.provider().recycle(b.getBundleId(), true, "unresponsive: no return "
                        + config.interrupt_grace_millis() + " ms after the time-out interrupt");
                a.lastBreach.remove("unresponsive");
                breach(b, a, l, "unresponsive", "a listener call did not return " + config.interrupt_grace_millis()
                        + " ms after its interrupt (ran " + f.runningCallNanos() / 1_000_000
                        + " ms); worker abandoned and replaced", worked, own, now);
            }
        }
    }

    /** Records a breach (once per window and kind) and applies the level's action. */
    private void breach(Bundle b, PluginAccount a, Limits l, String kind, String detail, List<Worked> worked,
            List<Thread> own, long now) {
        Long last = a.lastBreach.get(kind);
        if (last != null && now - last < windowNanos) {
            return;
        }
        a.lastBreach.put(kind, now);
        a.breaches.merge(kind, 1L, Long::sum);
        String lvl = l.level().name().toLowerCase(Locale.ROOT);
        String action;
        switch (l.level()) {
            case LOW:
                action = "warn";
                break;
            case MEDIUM:
                action = kind.equals("unresponsive") ? "stop" : "throttle";
                break;
            default:
                action = "block";
                break;
        }
        String rule = "resource:" + kind + ":" + lvl + ":" + action;
        LOG.warn("plugin {} broke its {} limit: {} ({})", a.bsn, kind, detail, rule);
        monitor.resourceViolation(a.location, kind, detail, rule);
        switch (action) {
            case "throttle":
                for (PluginWorkers p : workers) { // also a provider with no worker for it yet: the shed waits for one
                    p.shed(b.getBundleId(), config.throttle_millis());
                }
                for (Thread t : own) {
                    try {
                        t.setPriority(Thread.MIN_PRIORITY);
                    } catch (SecurityException | IllegalArgumentException e) {
                        // advisory only
                    }
                }
                break;
            case "stop":
                forceStop(b, kind + " limit: " + detail);
                break;
            case "block":
                monitor.block(a.bsn, kind + " limit: " + detail, rule);
                for (Worked w : worked) {
                    if (w.figures().runningCallNanos() > 0) {
                        w.provider().recycle(b.getBundleId(), true, "blocked while in a call");
                    }
                }
                break;
            default:
                break;
        }
    }

    /**
     * Stops the bundle on a thread of its own (its activator may hang as well) and reports when the stop does not
     * finish within the stop time-out; the enforcer goes on sampling meanwhile.
     */
    private void forceStop(Bundle b, String reason) {
        forceStops.increment();
        Thread t = new Thread(() -> {
            try {
                b.stop();
            } catch (BundleException | IllegalStateException | SecurityException e) {
                LOG.warn("force-stop of {} failed: {}", b.getSymbolicName(), e.toString());
            }
        }, "autoweave-resource-stop-" + b.getBundleId());
        t.setDaemon(true);
        t.start();
        monitor.audit("force-stopped", b.getSymbolicName(), "resource:unresponsive", reason);
        sampler.schedule(() -> {
            if (t.isAlive()) {
                LOG.error("force-stop of {} did not finish within {} ms; its stop is left running",
                        b.getSymbolicName(), config.stop_timeout_millis());
                monitor.audit("force-stop-timeout", b.getSymbolicName(), "resource:unresponsive",
                        "bundle stop still running after " + config.stop_timeout_millis() + " ms");
            }
        }, config.stop_timeout_millis(), TimeUnit.MILLISECONDS);
    }

    /** Charges heap pressure to the plugin allocating the most over the window. */
    private void attributeHeapPressure(long now) {
        PluginAccount top = accounts.values().stream().filter(a -> PluginLocation.isPlugin(a.location))
                .max(Comparator.comparingDouble(a -> a.allocPerSecond)).orElse(null);
        if (top == null || top.allocPerSecond <= 0) {
            LOG.warn("heap pressure, but no plugin allocated anything in the last window: not attributed");
            return;
        }
        Bundle b = ctx.getBundle(top.bundleId);
        SecurityLevel level = PluginLocation.levelOf(top.location);
        if (b == null || level == null || monitor.isBlocked(top.bsn)) {
            return;
        }
        List<Worked> worked = new ArrayList<>();
        for (PluginWorkers p : workers) {
            for (WorkerFigures f : p.figures()) {
                if (f.bundleId() == top.bundleId) {
                    worked.add(new Worked(p, f));
                }
            }
        }
        breach(b, top, limitsOf(top.bsn, level), "heap", String.format(Locale.ROOT,
                "a heap pool stayed over %d%% after a collection; top allocator at %.1f MB/s",
                config.heap_threshold_percent(), top.allocPerSecond / Limits.MB), worked,
                monitor.pluginThreads(top.location), now);
    }

    Limits limitsOf(String bsn, SecurityLevel installed) {
        return Limits.effective(installed, overrides.get(bsn), defaults, bsn);
    }

    // ---- what the commands show (ResourceCommands) --------------------------------------------------------------

    ResourceConfig config() {
        return config;
    }

    Map<SecurityLevel, Limits> defaults() {
        return defaults;
    }

    Map<String, Map<String, String>> overrides() {
        return overrides;
    }

    List<PluginAccount> accounts() {
        return new ArrayList<>(accounts.values());
    }

    boolean measuresAllocation() {
        return meter.measuresAllocation();
    }

    // ---- /metrics ----------------------------------------------------------------------------------------------------

    @Override
    public void collect(MetricsCollector out) {
        for (PluginAccount a : accounts.values()) {
            SecurityLevel level = PluginLocation.levelOf(a.location);
            String lvl = level == null ? "core" : level.name().toLowerCase(Locale.ROOT);
            out.gauge("autoweave_plugin_cpu_cores", "CPU share over the enforcer's window (1 = one core)", a.cpuShare,
                    "plugin", a.bsn, "level", lvl);
            out.counter("autoweave_plugin_cpu_seconds_total", "CPU time of the plugin's threads",
                    a.cpuTotalNanos / 1e9, "plugin", a.bsn, "level", lvl);
            out.gauge("autoweave_plugin_alloc_bytes_per_second", "Heap allocation rate over the enforcer's window",
                    a.allocPerSecond, "plugin", a.bsn, "level", lvl);
            out.counter("autoweave_plugin_allocated_bytes_total", "Heap bytes allocated by the plugin's threads",
                    a.allocTotalBytes, "plugin", a.bsn, "level", lvl);
            out.gauge("autoweave_plugin_threads", "Live threads: its own, and the runtime's workers calling it",
                    a.ownThreads, "plugin", a.bsn, "level", lvl, "kind", "own");
            out.gauge("autoweave_plugin_threads", "Live threads: its own, and the runtime's workers calling it",
                    a.workerThreads, "plugin", a.bsn, "level", lvl, "kind", "worker");
            PluginAccount.WorkerTotals t = a.workerTotals();
            out.counter("autoweave_plugin_calls_total", "Listener calls that returned", t.calls(), "plugin", a.bsn,
                    "level", lvl);
            out.gauge("autoweave_plugin_call_p99_seconds", "99th percentile of the last listener calls",
                    t.p99CallNanos() / 1e9, "plugin", a.bsn, "level", lvl);
            out.gauge("autoweave_plugin_queue_depth", "Events waiting for the plugin's worker", t.queue(), "plugin",
                    a.bsn, "level", lvl);
            out.counter("autoweave_plugin_events_shed_total", "Events shed while the plugin was throttled", t.shed(),
                    "plugin", a.bsn, "level", lvl);
            out.counter("autoweave_plugin_events_dropped_total", "Events dropped because its queue was full",
                    t.dropped(), "plugin", a.bsn, "level", lvl);
            for (Map.Entry<String, Long> b : a.breaches.entrySet()) {
                out.counter("autoweave_plugin_limit_breaches_total", "Resource limit breaches recorded as violations",
                        b.getValue(), "plugin", a.bsn, "level", lvl, "kind", b.getKey());
            }
        }
    }

    /** The figures of one bundle for tests and other in-process readers. */
    PluginAccount account(long bundleId) {
        return accounts.get(bundleId);
    }
}
