package io.autoweave.plugin.installer.internal.lifecycle;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.resolve.ResolveGate;
import io.autoweave.api.plugin.PluginLocation;

/**
 * Second layer behind the install gate: only the runtime's own bundles ({@code autoweave:core/*}, the system
 * bundle) and plugins the installer recorded in the {@link PluginLedger} may resolve. A bundle installed by any other
 * route ({@code felix:install}, the Web Console's upload, {@code BundleContext.installBundle} from code) gets no
 * provider for any of its requirements, so it stays INSTALLED: it never gets a class loader, none of its code runs.
 * (A bundle with no requirement at all would resolve, yet hold no permission: the policy's final DENY row.)
 *
 * <p>A hook, not an uninstall: install cannot be vetoed in OSGi (bundle hooks only hide bundles), and uninstalling
 * behind an operator's back would lose the evidence. The refusal is logged once per bundle as an audit line. The
 * hook mechanics (and the Felix 7.0.5 trap they avoid) are the shared {@link ResolveGate}.
 *
 * <p>While the framework is still starting, plugins are held back as well: the framework would otherwise start them
 * from its start-level thread, where one {@code start()} that never returns stalls the start level (the runtime never
 * gets ready, the plugins after it never start). {@link PluginAutostart} releases the hold once the framework has
 * started and then starts them itself, each with the start time-out.
 */
@Component(service = { ResolverHookFactory.class, LocationGuard.class }, immediate = true)
public final class LocationGuard extends ResolveGate {
    private static final Logger LOG = LoggerFactory.getLogger(LocationGuard.class);

    private final PluginLedger ledger;
    private final Set<Long> reported = ConcurrentHashMap.newKeySet();
    private volatile boolean held;

    @Activate
    public LocationGuard(BundleContext ctx, @Reference PluginLedger ledger) {
        this(ledger, ctx.getBundle(0).getState() != Bundle.ACTIVE);
    }

    LocationGuard(PluginLedger ledger, boolean held) {
        this.ledger = ledger;
        this.held = held;
    }

    /** Lets plugins resolve from now on (the framework has started). */
    void release() {
        held = false;
    }

    boolean isHeld() {
        return held;
    }

    /** Whether a bundle at {@code location} may resolve. */
    boolean mayResolve(long bundleId, String location) {
        if (bundleId == 0 || PluginLocation.isCore(location)) {
            return true;
        }
        return PluginLocation.isPlugin(location) && ledger.contains(location) && !held;
    }

    @Override
    protected boolean mayResolve(Bundle b, String location) {
        boolean ok = mayResolve(b.getBundleId(), location);
        if (!ok && held && ledger.contains(location)) {
            return false; // started by PluginAutostart once the framework is up: not a refusal
        }
        if (!ok && reported.add(b.getBundleId())) {
            LOG.warn("AUDIT refused to resolve bundle {} ({}) at location '{}': only the runtime's bundles and "
                    + "plugins installed through the plugin installer (aw:install) may run", b.getBundleId(),
                    b.getSymbolicName(), location);
        }
        return ok;
    }
}
