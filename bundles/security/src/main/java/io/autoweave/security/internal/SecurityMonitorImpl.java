package io.autoweave.security.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.Permission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.permissionadmin.PermissionAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.condpermadmin.ConditionalPermissionAdmin;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.data.DataDirectory;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.api.plugin.PluginLocation;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.api.security.UsbPermission;
import io.autoweave.security.AuditRecord;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.ident.Identifiers;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.security.Violation;
import io.autoweave.commons.resolve.ResolveGate;

/**
 * Denials in ({@link DenialRecorder}, on the denied thread) → a bounded queue → one worker thread that attributes,
 * de-duplicates, audits and escalates. Blocks and lockdown are enforced three ways: the bundle is stopped, it is
 * refreshed to unresolved, and this component's resolver hook gives a blocked (or, in lockdown, any) plugin no
 * provider, so it cannot start again by any route, also after a restart (the state file is read at activation,
 * before plugins at start level 8 resolve).
 *
 * <p><b>Size.</b> Why one class of about 600 lines: violations, counts, the block list and lockdown are changed by
 * the worker, the API and the resolver hook under one set of locks; the enforcement in the framework is
 * PluginEnforcement, the console guards ConsoleGuards, the recorder DenialRecorder.
 */
@Component(service = { SecurityMonitor.class, ResolverHookFactory.class }, immediate = true,
        configurationPid = "io.autoweave.security")
@Designate(ocd = SecurityConfig.class)
public final class SecurityMonitorImpl implements SecurityMonitor, ResolverHookFactory {
    static final String TOPIC_PREFIX = "autoweave/security/";
    private static final Logger LOG = LoggerFactory.getLogger(SecurityMonitorImpl.class);
    private static final int MAX_VIOLATIONS = 10_000;
    private static final Pattern USB_FILTER_TERM = Pattern.compile("(vendor_id|product_id)\\s*=\\s*([0-9a-fA-F]{1,4})\\)");

    /** A denial or a listener registration waiting for the worker. */
    private record Pending(long time, String location, Permission permission, StackTraceElement[] stack, String rule,
            ServiceReference<?> usbListener) {
    }

    private final BundleContext ctx;
    private volatile Escalation escalation;
    private volatile long repeatWindowMillis;
    private final LastGoodConfig<SecurityConfig, Checked> lastGood;
    private final AuditLog audit;
    private final SecurityState state;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(10_000);
    private final AtomicLong dropped = new AtomicLong();
    private final List<Violation> violations = new ArrayList<>();
    private final Map<String, Integer> counts = new HashMap<>();
    private final Map<String, Integer> lastIndex = new HashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final Thread worker;
    /** Takes permissions, stops, refreshes and restarts plugins for blocks and lockdown. */
    private final PluginEnforcement enforce;
    private final RecorderControl recorder;
    private final ServiceListener usbListeners;
    /** System.out and System.err, each line a plugin prints named and rate-limited (null without a recorder). */
    private final ConsoleGuards console;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile EventAdmin events;

    /**
     * Framework PermissionAdmin: an entry for a location replaces ConditionalPermissionAdmin for that bundle, so an
     * empty entry takes every permission from a blocked plugin at once, before its (asynchronous) stop: the very next
     * check, a {@code UsbPermission} before a delivery included, is denied. Null when framework security has no
     * PermissionAdmin ({@code felix.security.permissionadmin=false}): then a block acts at the stop only.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile PermissionAdmin permissionAdmin;

    /** Moved after a block, an unblock and a lockdown switch took effect (null in unit tests). */
    @Reference
    PermissionGenerations generations;

    /** A configuration that checked out. */
    record Checked(SecurityConfig config, Escalation escalation) {
    }

    static Checked check(SecurityConfig config) {
        ConfigRefusal.range("max.threads.per.plugin", config.max_threads_per_plugin(), 1, 10_000);
        ConfigRefusal.range("repeat.window.millis", config.repeat_window_millis(), 0, 60_000);
        ConfigRefusal.range("console.lines.per.second", config.console_lines_per_second(), 1, 100_000);
        ConfigRefusal.range("console.burst.lines", config.console_burst_lines(), 1, 1_000_000);
        ConfigRefusal.notBlank("audit.path", config.audit_path());
        ConfigRefusal.notBlank("state.path", config.state_path());
        ConfigRefusal.atLeast("low.block.after.violations", config.low_block_after_violations(), 0);
        ConfigRefusal.atLeast("medium.block.after.violations", config.medium_block_after_violations(), 0);
        ConfigRefusal.atLeast("high.block.after.violations", config.high_block_after_violations(), 0);
        ConfigRefusal.atLeast("lockdown.after.blocks", config.lockdown_after_blocks(), 0);
        return new Checked(config, new Escalation(config));
    }

    @Activate
    public SecurityMonitorImpl(BundleContext ctx, SecurityConfig config, Map<String, Object> properties) {
        this(ctx, config, properties, dataDir(ctx), ctx);
    }

    SecurityMonitorImpl(BundleContext ctx, SecurityConfig config, Path dataDir) {
        this(null, config, Map.of(), dataDir, ctx);
    }

    private SecurityMonitorImpl(BundleContext statusCtx, SecurityConfig given, Map<String, Object> properties,
            Path dataDir, BundleContext ctx) {
        this.lastGood = new LastGoodConfig<>("io.autoweave.security", SecurityConfig.class,
                SecurityMonitorImpl::check);
        Checked checked = lastGood.start(statusCtx, given, properties);
        SecurityConfig config = checked.config();
        this.ctx = ctx;
        this.enforce = new PluginEnforcement(ctx, () -> permissionAdmin, () -> generations);
        this.escalation = checked.escalation();
        this.repeatWindowMillis = config.repeat_window_millis();
        this.audit = new AuditLog(dataDir.resolve(config.audit_path()).toAbsolutePath().normalize());
        this.state = new SecurityState(dataDir.resolve(config.state_path()).toAbsolutePath().normalize());
        new Pending(0, "", null, null, null, null).hashCode(); // link the class before a plugin is on the stack
        this.worker = new Thread(this::work, "autoweave-security-monitor");
        worker.setDaemon(true);
        worker.start();
        this.recorder = installRecorder(config.max_threads_per_plugin());
        this.console = recorder == null ? null : ConsoleGuards.install(recorder::pluginOnCurrentStack,
                config.console_lines_per_second(), config.console_burst_lines());
        this.usbListeners = this::usbListenerChanged;
        try {
            ctx.addServiceListener(usbListeners, "(objectClass=" + UsbEventListener.class.getName() + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        LOG.info("security monitor active: {} blocked plugin(s), lockdown {}, audit log {}", state.blocked().size(),
                state.isLockdown() ? "ON" : "off", audit.file());
    }

    private static Path dataDir(BundleContext ctx) {
        return DataDirectory.require(ctx);
    }

    private RecorderControl installRecorder(int maxThreads) {
        SecurityManager current = System.getSecurityManager();
        if (current == null) {
            LOG.warn("no SecurityManager (framework security off): permission denials cannot be recorded");
            return null;
        }
        if (current.getClass().getName().equals(DenialRecorder.class.getName())) {
            LOG.warn("another denial recorder is installed already; not stacking a second one");
            return null;
        }
        RecorderControl r;
        try {
            r = new IsolatedLoader(ctx.getBundle(), getClass().getClassLoader()).newRecorder(current, this::denied,
                    maxThreads, Thread.currentThread().getThreadGroup());
        } catch (IOException | ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the denial recorder: " + e, e);
        }
        System.setSecurityManager((SecurityManager) r);
        return r;
    }

    /**
     * Escalation thresholds and the repeat window change in place (violations, blocks and the monitor stay); the
     * audit and state files, the thread limit of the denial recorder and the console guard's rates are fixed at start.
     * A refused change keeps the rules in force.
     */
    @Modified
    void modified(SecurityConfig config, Map<String, Object> properties) {
        lastGood.modified(config, properties).ifPresent(c -> {
            escalation = c.escalation();
            repeatWindowMillis = c.config().repeat_window_millis();
            LOG.info("security monitor reconfigured in place (audit.path, state.path, max.threads.per.plugin "
                    + "and the console.* limits apply at the next start)");
        });
    }

    @Deactivate
    void deactivate() {
        lastGood.close();
        if (console != null) {
            console.uninstall();
        }
        if (recorder != null) {
            if (System.getSecurityManager() == (Object) recorder) {
                System.setSecurityManager(recorder.previous()); // the framework removes its own at shutdown
            } else {
                LOG.warn("the SecurityManager was replaced behind the security monitor; leaving it");
            }
        }
        ctx.removeServiceListener(usbListeners);
        worker.interrupt();
        try {
            worker.join(5000);
            audit.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("closing the audit log: {}", e.toString());
        }
    }

    // ---- capture (plugin threads: cheap, never blocking) -----------------------------------------------------------

    void denied(String location, Permission permission, StackTraceElement[] stack, String rule) {
        if (!queue.offer(new Pending(System.currentTimeMillis(), location, permission, stack, rule, null))) {
            dropped.incrementAndGet();
        }
    }

    private void usbListenerChanged(ServiceEvent e) {
        if (e.getType() == ServiceEvent.REGISTERED || e.getType() == ServiceEvent.MODIFIED) {
            if (!queue.offer(new Pending(System.currentTimeMillis(), null, null, null, null, e.getServiceReference()))) {
                dropped.incrementAndGet();
            }
        }
    }

    // ---- the worker --------------------------------------------------------------------------------------------------

    private void work() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Pending p = queue.poll(1, TimeUnit.SECONDS);
                reportConsoleDrops();
                long lost = dropped.getAndSet(0);
                if (lost > 0) {
                    audit("dropped", "-", "queue-full", lost + " denials arrived faster than they could be recorded");
                }
                if (p == null) {
                    continue;
                }
                if (p.usbListener() != null) {
                    checkUsbListener(p);
                } else {
                    violation(p);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("security monitor: {}", e.toString(), e);
            }
        }
    }

    /** Console lines dropped since the last round: one resource violation per plugin per round, not per line. */
    private void reportConsoleDrops() {
        if (console == null) {
            return;
        }
        long consoleRate = console.linesPerSecond();
        console.drainDrops().forEach((location, n) -> {
            SecurityLevel level = PluginLocation.levelOf(location);
            resourceViolation(location, "console", n + " lines over " + consoleRate + " lines/s dropped",
                    "console-rate:" + (level == null ? "unknown" : level.name().toLowerCase(java.util.Locale.ROOT))
                            + ":drop");
        });
    }

    /** Console lines per plugin location: {passed, dropped} (for /metrics). */
    Map<String, long[]> consoleLines() {
        return console == null ? Map.of() : console.lines();
    }

    private void checkUsbListener(Pending p) {
        ServiceReference<?> ref = p.usbListener();
        Bundle b = ref.getBundle();
        Object filter = ref.getProperty(UsbEventListener.FILTER);
        if (b == null || !PluginLocation.isPlugin(b.getLocation()) || !(filter instanceof String)) {
            return;
        }
        Matcher m = USB_FILTER_TERM.matcher((String) filter);
        while (m.find()) {
            UsbPermission wanted = new UsbPermission((m.group(1).startsWith("vendor") ? "vendor=" : "product=")
                    + m.group(2), "monitor");
            if (!b.hasPermission(wanted)) {
                violation(new Pending(p.time(), b.getLocation(), wanted, new StackTraceElement[0],
                        "usb-listener-filter", null));
            }
        }
    }

    private void violation(Pending p) {
        String location = p.location();
        Bundle b = ctx.getBundle(location);
        String bsn = b != null && b.getSymbolicName() != null ? b.getSymbolicName() : bsnOf(location);
        SecurityLevel level = PluginLocation.levelOf(location);
        Permission perm = p.permission();
        String permission = render(perm);
        String key = location + "\n" + permission;
        synchronized (violations) {
            Integer at = lastIndex.get(key);
            if (at != null && at < violations.size()) {
                Violation last = violations.get(at);
                if (last.location().equals(location) && last.permission().equals(permission)
                        && p.time() - last.time().toEpochMilli() <= repeatWindowMillis) {
                    violations.set(at, new Violation(last.time(), last.plugin(), last.location(), last.level(),
                            last.permission(), last.critical(), last.rule(), last.stack(), last.repeats() + 1));
                    return; // one violation, repeated
                }
            }
        }
        boolean critical = Escalation.isCritical(perm.getClass().getName(), perm.getName(), perm.getActions());
        String rule = p.rule() != null ? p.rule() : PolicyRows.decidingRow(cpa(), b, perm);
        String stack = stack(p.stack());
        Violation v = new Violation(Instant.ofEpochMilli(p.time()), bsn, location, level, permission, critical, rule,
                stack, 1);
        int count;
        synchronized (violations) {
            if (violations.size() >= MAX_VIOLATIONS) {
                violations.remove(0);
                lastIndex.replaceAll((k, i) -> i - 1);
            }
            violations.add(v);
            lastIndex.put(key, violations.size() - 1);
            count = counts.merge(bsn, 1, Integer::sum);
        }
        audit("denied", bsn, rule, permission + (critical ? " (critical)" : "") + " at " + location + "; " + stack);
        post("VIOLATION", Map.of("plugin", bsn, "location", location, "permission", permission, "rule", rule,
                "critical", critical));
        if (state.isBlocked(bsn) || level == null) {
            return;
        }
        Escalation.Outcome o = escalation.decide(level, critical, count);
        switch (o.action()) {
            case BLOCK:
                block(bsn, (critical ? "critical violation " : count + " violations, the last ") + permission, o.rule());
                break;
            case WARN:
                LOG.warn("plugin {} violated {} ({}); its level only warns", bsn, permission, o.rule());
                audit("warned", bsn, o.rule(), permission);
                break;
            default:
                break;
        }
    }

    private ConditionalPermissionAdmin cpa() {
        ServiceReference<ConditionalPermissionAdmin> ref = ctx.getServiceReference(ConditionalPermissionAdmin.class);
        return ref == null ? null : ctx.getService(ref);
    }

    static String render(Permission p) {
        String actions = p.getActions();
        return "(" + p.getClass().getName() + " \"" + p.getName() + "\""
                + (actions == null || actions.isEmpty() ? "" : " \"" + actions + "\"") + ")";
    }

    /** The innermost frames below the permission machinery, at most eight. */
    static String stack(StackTraceElement[] frames) {
        List<String> out = new ArrayList<>();
        for (StackTraceElement f : frames) {
            String c = f.getClassName();
            if (out.isEmpty() && (c.startsWith("java.security.") || c.equals("java.lang.SecurityManager")
                    || c.startsWith("io.autoweave.security.internal."))) {
                continue;
            }
            out.add(c + "." + f.getMethodName() + ":" + f.getLineNumber());
            if (out.size() == 8) {
                break;
            }
        }
        return String.join(" < ", out);
    }

    static String bsnOf(String location) {
        int slash = location.indexOf('/');
        return slash < 0 ? location : location.substring(slash + 1);
    }

    // ---- SecurityMonitor ---------------------------------------------------------------------------------------

    @Override
    public List<Violation> violations(String plugin) {
        synchronized (violations) {
            return violations.stream().filter(v -> plugin == null || plugin.equals(v.plugin())).toList();
        }
    }

    @Override
    public void block(String plugin, String reason, String rule) {
        Identifiers.symbolicName(plugin); // never a pattern, a path trick or a 3000-character line in the block list
        try {
            if (!state.block(plugin, reason)) {
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist the block of " + plugin, e);
        }
        synchronized (violations) {
            counts.remove(plugin);
        }
        LOG.warn("plugin {} BLOCKED by {}: {}", plugin, rule, reason);
        audit("blocked", plugin, rule, reason);
        post("BLOCKED", Map.of("plugin", plugin, "rule", rule, "reason", reason));
        List<Bundle> plugins = enforce.pluginBundles(plugin);
        for (Bundle b : plugins) {
            enforce.revokeAll(b.getLocation());
        }
        enforce.moved("block of " + plugin); // before the stop: the revocation is in force already
        for (Bundle b : plugins) {
            if (recorder != null) {
                recorder.interruptThreads(b.getLocation());
            }
        }
        enforce.stopAndRefresh(plugins, 0);
        String lockdownRule = escalation.lockdownRule(state.blocked().size());
        if (lockdownRule != null && !state.isLockdown()) {
            setLockdown(true, state.blocked().size() + " plugins blocked: " + String.join(", ",
                    state.blocked().keySet()), lockdownRule);
        }
    }

    @Override
    public boolean unblock(String plugin, String reason) {
        try {
            if (!state.unblock(plugin)) {
                return false;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist the unblock of " + plugin, e);
        }
        synchronized (violations) {
            counts.remove(plugin);
        }
        reported.clear();
        audit("unblocked", plugin, "operator", reason == null ? "" : reason);
        post("UNBLOCKED", Map.of("plugin", plugin, "reason", reason == null ? "" : reason));
        enforce.restore(plugin);
        List<Bundle> plugins = enforce.pluginBundles(plugin);
        if (!plugins.isEmpty() && !state.isLockdown()) {
            enforce.wiring().resolveBundles(plugins); // back to RESOLVED (stopped); the operator starts it
        }
        enforce.moved("unblock of " + plugin);
        return true;
    }

    @Override
    public boolean isBlocked(String plugin) {
        return state.isBlocked(plugin);
    }

    @Override
    public Map<String, String> blocked() {
        return state.blocked();
    }

    @Override
    public boolean isLockdown() {
        return state.isLockdown();
    }

    @Override
    public void setLockdown(boolean on, String reason, String rule) {
        try {
            if (!state.setLockdown(on, reason)) {
                return;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist the lockdown switch", e);
        }
        reported.clear();
        LOG.warn("LOCKDOWN {} ({}): {}", on ? "ON" : "off", rule, reason);
        audit(on ? "lockdown-on" : "lockdown-off", "system", rule, reason == null ? "" : reason);
        post("LOCKDOWN", Map.of("lockdown", on, "rule", rule, "reason", reason == null ? "" : reason));
        List<Bundle> plugins = enforce.pluginBundles(null);
        if (on) {
            plugins.forEach(b -> enforce.revokeAll(b.getLocation()));
            enforce.moved("lockdown on"); // in force before the stops below
            enforce.stopAndRefresh(plugins, Bundle.STOP_TRANSIENT); // transient: they come back after lockdown off
        } else {
            for (Bundle b : plugins) {
                if (!state.isBlocked(b.getSymbolicName())) {
                    enforce.restore(b.getSymbolicName());
                }
            }
            List<Bundle> again = new ArrayList<>();
            for (Bundle b : plugins) {
                if (!state.isBlocked(b.getSymbolicName())
                        && b.adapt(BundleStartLevel.class).isPersistentlyStarted()) {
                    again.add(b);
                }
            }
            enforce.moved("lockdown off");
            enforce.startAll(again);
        }
    }

    @Override
    public void audit(String decision, String subject, String rule, String detail) {
        try {
            audit.append(new AuditRecord(Instant.now(), decision, subject, rule, detail == null ? "" : detail));
        } catch (IOException e) {
            LOG.error("AUDIT could not be written ({}): {} {} {} {}", e.toString(), decision, subject, rule, detail);
        }
    }

    @Override
    public List<AuditRecord> audit(String filter, int limit) {
        try {
            return audit.query(filter, Math.max(1, limit));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + audit.file(), e);
        }
    }

    @Override
    public void resourceViolation(String location, String kind, String detail, String rule) {
        Bundle b = ctx.getBundle(location);
        String bsn = b != null && b.getSymbolicName() != null ? b.getSymbolicName() : bsnOf(location);
        String permission = "(resource \"" + kind + "\" \"" + detail + "\")";
        Violation v = new Violation(Instant.now(), bsn, location, PluginLocation.levelOf(location), permission, false, rule, "", 1);
        synchronized (violations) {
            if (violations.size() >= MAX_VIOLATIONS) {
                violations.remove(0);
                lastIndex.replaceAll((k, i) -> i - 1);
            }
            violations.add(v);
        }
        audit("resource-limit", bsn, rule, permission + " at " + location);
        post("VIOLATION", Map.of("plugin", bsn, "location", location, "permission", permission, "rule", rule,
                "critical", false));
    }

    @Override
    public List<Thread> pluginThreads(String location) {
        return recorder == null ? List.of() : List.of(recorder.threads(location));
    }

    private void post(String what, Map<String, Object> properties) {
        EventAdmin ea = events;
        if (ea != null) {
            Map<String, Object> p = new HashMap<>(properties);
            p.put("timestamp", System.currentTimeMillis());
            ea.postEvent(new Event(TOPIC_PREFIX + what, p));
        }
    }

    // ---- the resolver hook: blocked plugins (and every plugin in lockdown, and every in-process plugin on a Java
    // without the SecurityManager, left from an earlier run on Java 17) never resolve ------------------------------

    /** Hook mechanics in {@link ResolveGate}; refusals are audited once per location and reason. */
    private final ResolveGate gate = new ResolveGate() {
        @Override
        protected boolean mayResolve(Bundle b, String location) {
            if (!PluginLocation.isPlugin(location)) {
                return true;
            }
            String bsn = bsnOf(location);
            @SuppressWarnings("removal")
            boolean confined = System.getSecurityManager() != null;
            String why = !confined ? "no-security-manager" : state.isBlocked(bsn) ? "blocklist"
                    : state.isLockdown() ? "lockdown" : null;
            if (why == null) {
                return true;
            }
            if (reported.add(location + "|" + why)) {
                audit("start-refused", bsn, why, location + (why.equals("no-security-manager")
                        ? " may not resolve: this Java has no SecurityManager, so in process nothing would confine it "
                                + "(run the runtime on Java 17, or uninstall it and install it isolated)"
                        : " may not resolve while " + (why.equals("lockdown") ? "the system is locked down"
                                : "blocked") + (why.equals("lockdown") ? " (aw:lockdown off)" : " (aw:unblock " + bsn
                                        + ")")));
            }
            return false;
        }
    };

    @Override
    public ResolverHook begin(Collection<BundleRevision> triggers) {
        return gate.begin(triggers);
    }
}
