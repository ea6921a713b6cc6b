package io.autoweave.plugin.installer.internal.lifecycle;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.plugin.PluginState;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.api.plugin.PluginLocation;

/**
 * The plugin state machine ({@link PluginState}): candidates (keyed by source) go DISCOVERED → VALIDATED or
 * REJECTED; installed plugins (keyed by symbolic name) follow their bundle events (STARTING, RUNNING, STOPPING,
 * STOPPED; a start that ends without STARTED is FAILED) and the security monitor's blocks (BLOCKED until unblocked,
 * then STOPPED). Every transition is posted on EventAdmin as {@code autoweave/plugin/<TO_STATE>} with
 * {@code plugin}, {@code location}, {@code source}, {@code from}, {@code to}, {@code reason}, {@code timestamp}; when
 * the bundle events skip a state, each intermediate step is posted, so subscribers always see legal moves.
 */
@Component(service = { PluginLifecycle.class, EventHandler.class }, immediate = true,
        property = EventConstants.EVENT_TOPIC + "=autoweave/security/*")
public final class PluginLifecycle implements EventHandler {
    static final String TOPIC_PREFIX = "autoweave/plugin/";
    private static final Logger LOG = LoggerFactory.getLogger(PluginLifecycle.class);
    private static final int MAX_CANDIDATES = 100;

    private final BundleContext ctx;
    private final SecurityMonitor monitor;
    private final Map<String, PluginState> plugins = new HashMap<>();
    private final Map<String, PluginState> candidates = new LinkedHashMap<>();
    private final SynchronousBundleListener listener = this::bundleChanged;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile EventAdmin events;

    @Activate
    public PluginLifecycle(BundleContext ctx, @Reference SecurityMonitor monitor) {
        this.ctx = ctx;
        this.monitor = monitor;
        ctx.addBundleListener(listener);
        for (Bundle b : ctx.getBundles()) {
            if (isPlugin(b)) {
                synchronized (this) {
                    plugins.put(b.getSymbolicName(), observed(b));
                }
            }
        }
    }

    @Deactivate
    void deactivate() {
        ctx.removeBundleListener(listener);
    }

    private static boolean isPlugin(Bundle b) {
        return PluginLocation.isPlugin(b.getLocation()) && b.getSymbolicName() != null;
    }

    private PluginState observed(Bundle b) {
        if (monitor.isBlocked(b.getSymbolicName())) {
            return PluginState.BLOCKED;
        }
        return stateOf(b.getState());
    }

    /** What a bundle state means for a plugin that is not blocked. */
    public static PluginState stateOf(int bundleState) {
        switch (bundleState) {
            case Bundle.ACTIVE: return PluginState.RUNNING;
            case Bundle.STARTING: return PluginState.STARTING;
            case Bundle.STOPPING: return PluginState.STOPPING;
            case Bundle.RESOLVED: return PluginState.STOPPED;
            default: return PluginState.INSTALLED;
        }
    }

    // ---- queries ---------------------------------------------------------------------------------------------------

    public synchronized PluginState state(String bsn) {
        return plugins.get(bsn);
    }

    /** Installed plugins by symbolic name, then recent candidates by source. */
    public synchronized Map<String, PluginState> states() {
        Map<String, PluginState> all = new LinkedHashMap<>(plugins);
        candidates.forEach(all::putIfAbsent);
        return Collections.unmodifiableMap(all);
    }

    // ---- the installer's steps -------------------------------------------------------------------------------------

    public synchronized void discovered(String source) {
        candidates.remove(source);
        candidates.put(source, PluginState.DISCOVERED);
        while (candidates.size() > MAX_CANDIDATES) {
            candidates.remove(candidates.keySet().iterator().next());
        }
        post(null, null, source, null, PluginState.DISCOVERED, "");
    }

    public synchronized void validated(String source, String bsn) {
        moveCandidate(source, bsn, PluginState.VALIDATED, "signature gate passed");
    }

    public synchronized void rejected(String source, String bsn, String reason) {
        moveCandidate(source, bsn, PluginState.REJECTED, reason);
    }

    /** The bundle exists: the candidate becomes an installed plugin, whatever an earlier one of that name did. */
    public synchronized void installed(String source, Bundle b) {
        candidates.remove(source);
        plugins.put(b.getSymbolicName(), PluginState.INSTALLED);
        post(b.getSymbolicName(), b.getLocation(), source, PluginState.VALIDATED, PluginState.INSTALLED, "");
    }

    /**
     * A plugin that runs out of process (no bundle in this framework) is now {@code now}; with a {@code source} it was
     * just installed and the candidate becomes the plugin.
     */
    public synchronized void isolated(String source, String bsn, String location, PluginState now, String reason) {
        if (source != null) {
            candidates.remove(source);
            plugins.put(bsn, PluginState.INSTALLED);
            post(bsn, location, source, PluginState.VALIDATED, PluginState.INSTALLED, "isolated");
        }
        move(bsn, location, now, reason);
    }

    /** An isolated plugin removed. */
    public synchronized void isolatedRemoved(String bsn, String location) {
        PluginState now = plugins.remove(bsn);
        post(bsn, location, null, now, null, "uninstalled");
    }

    public synchronized void failed(Bundle b, String reason) {
        move(b.getSymbolicName(), b.getLocation(), PluginState.FAILED, reason);
    }

    private void moveCandidate(String source, String bsn, PluginState to, String reason) {
        PluginState from = candidates.get(source);
        if (from != null && from.canMoveTo(to)) {
            candidates.put(source, to);
            post(bsn, null, source, from, to, reason);
        }
    }

    // ---- bundle and security events ----------------------------------------------------------------------------

    private void bundleChanged(BundleEvent e) {
        Bundle b = e.getBundle();
        if (!isPlugin(b)) {
            return;
        }
        String bsn = b.getSymbolicName();
        synchronized (this) {
            PluginState now = plugins.get(bsn);
            if (e.getType() == BundleEvent.UNINSTALLED) {
                if (now != PluginState.FAILED) {
                    plugins.remove(bsn);
                }
                post(bsn, b.getLocation(), null, now, null, "uninstalled");
                return;
            }
            if (monitor.isBlocked(bsn)) {
                move(bsn, b.getLocation(), PluginState.BLOCKED, "blocked by the security monitor");
                return;
            }
            switch (e.getType()) {
                case BundleEvent.STARTING:
                    move(bsn, b.getLocation(), PluginState.STARTING, "");
                    break;
                case BundleEvent.STARTED:
                    move(bsn, b.getLocation(), PluginState.RUNNING, "");
                    break;
                case BundleEvent.STOPPING:
                    move(bsn, b.getLocation(), now == PluginState.STARTING ? PluginState.FAILED : PluginState.STOPPING,
                            now == PluginState.STARTING ? "the activator failed" : "");
                    break;
                case BundleEvent.STOPPED:
                    if (now != PluginState.FAILED) {
                        move(bsn, b.getLocation(), PluginState.STOPPED, "");
                    }
                    break;
                case BundleEvent.RESOLVED:
                case BundleEvent.UNRESOLVED:
                    if (now == PluginState.BLOCKED) {
                        move(bsn, b.getLocation(), PluginState.STOPPED, "unblocked");
                    } else if (now == null) {
                        plugins.put(bsn, observed(b));
                    }
                    break;
                default:
                    break;
            }
        }
    }

    @Override
    public void handleEvent(Event event) {
        Object plugin = event.getProperty("plugin");
        String topic = event.getTopic();
        synchronized (this) {
            for (Bundle b : ctx.getBundles()) {
                if (!isPlugin(b) || (plugin != null && !plugin.equals(b.getSymbolicName()))) {
                    continue;
                }
                String bsn = b.getSymbolicName();
                if (topic.endsWith("/BLOCKED") && monitor.isBlocked(bsn)) {
                    move(bsn, b.getLocation(), PluginState.BLOCKED, String.valueOf(event.getProperty("reason")));
                } else if (topic.endsWith("/UNBLOCKED") && !monitor.isBlocked(bsn)
                        && plugins.get(bsn) == PluginState.BLOCKED) {
                    move(bsn, b.getLocation(), PluginState.STOPPED, "unblocked");
                }
            }
        }
    }

    // ---- transitions ---------------------------------------------------------------------------------------------

    private void move(String bsn, String location, PluginState to, String reason) {
        PluginState from = plugins.get(bsn);
        if (from == to) {
            return;
        }
        List<PluginState> steps = from == null ? List.of(to) : path(from, to);
        if (steps.isEmpty()) {
            LOG.debug("plugin {}: no legal path {} -> {}; taking it directly", bsn, from, to);
            steps = List.of(to);
        }
        PluginState prev = from;
        for (PluginState s : steps) {
            post(bsn, location, null, prev, s, reason);
            prev = s;
        }
        plugins.put(bsn, to);
    }

    /** The shortest legal path after {@code from} ending in {@code to}; empty if there is none. */
    static List<PluginState> path(PluginState from, PluginState to) {
        Map<PluginState, PluginState> parent = new EnumMap<>(PluginState.class);
        Deque<PluginState> todo = new ArrayDeque<>(List.of(from));
        parent.put(from, from);
        while (!todo.isEmpty()) {
            PluginState s = todo.removeFirst();
            if (s == to) {
                List<PluginState> steps = new ArrayList<>();
                for (PluginState at = to; at != from; at = parent.get(at)) {
                    steps.add(0, at);
                }
                return steps;
            }
            for (PluginState n : s.successors()) {
                if (parent.putIfAbsent(n, s) == null) {
                    todo.addLast(n);
                }
            }
        }
        return List.of();
    }

    private void post(String bsn, String location, String source, PluginState from, PluginState to, String reason) {
        LOG.debug("plugin {} {}: {} -> {} {}", bsn, source, from, to, reason);
        EventAdmin ea = events;
        if (ea == null) {
            return;
        }
        Map<String, Object> p = new HashMap<>();
        p.put("plugin", bsn == null ? "" : bsn);
        p.put("location", location == null ? "" : location);
        p.put("source", source == null ? "" : source);
        p.put("from", from == null ? "" : from.name());
        p.put("to", to == null ? "UNINSTALLED" : to.name());
        p.put("reason", reason == null ? "" : reason);
        p.put("timestamp", System.currentTimeMillis());
        ea.postEvent(new Event(TOPIC_PREFIX + (to == null ? "UNINSTALLED" : to.name()), p));
    }
}
