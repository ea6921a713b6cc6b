package io.autoweave.plugin.installer.internal;

import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.plugin.installer.PluginInstaller;

/**
 * Second layer behind the install gate: only the runtime's own bundles ({@code autoweave:core/*}, the system
 * bundle) and plugins the installer recorded in the {@link PluginLedger} may resolve. A bundle installed by any other
 * route ({@code felix:install}, the Web Console's upload, {@code BundleContext.installBundle} from code) gets no
 * provider for any of its requirements, so it stays INSTALLED: it never gets a class loader, none of its code runs.
 * (A bundle with no requirement at all would resolve, yet hold no permission: the policy's final DENY row.)
 *
 * <p>A hook, not an uninstall: install cannot be vetoed in OSGi (bundle hooks only hide bundles), and uninstalling
 * behind an operator's back would lose the evidence. The refusal is logged once per bundle as an audit line.
 */
@Component(service = ResolverHookFactory.class, immediate = true)
public final class LocationGuard implements ResolverHookFactory {
    static final String CORE_PREFIX = "autoweave:core/";
    private static final Logger LOG = LoggerFactory.getLogger(LocationGuard.class);

    private final PluginLedger ledger;
    private final Set<Long> reported = ConcurrentHashMap.newKeySet();

    @Activate
    public LocationGuard(@Reference PluginLedger ledger) {
        this.ledger = ledger;
    }

    /** Whether a bundle at {@code location} may resolve. */
    boolean mayResolve(long bundleId, String location) {
        if (bundleId == 0 || location.startsWith(CORE_PREFIX)) {
            return true;
        }
        return location.startsWith(PluginInstaller.LOCATION_PREFIX) && ledger.contains(location);
    }

    @Override
    public ResolverHook begin(Collection<BundleRevision> triggers) {
        return new ResolverHook() {
            @Override
            public void filterResolvable(Collection<BundleRevision> candidates) {
                // Deliberately not used: removing a revision here makes Felix 7.0.5 fail later, unrelated resolves
                // ("missing requirement osgi.wiring.package=org.osgi.framework" for a bundle that may resolve).
            }

            @Override
            public void filterSingletonCollisions(BundleCapability singleton,
                    Collection<BundleCapability> collisionCandidates) {
                // singletons are not our concern
            }

            @Override
            public void filterMatches(BundleRequirement requirement, Collection<BundleCapability> candidates) {
                // a refused bundle gets no provider for any requirement (java.*, org.osgi.framework, the DS
                // extender, osgi.ee), so it fails to resolve with "missing requirement", as under the final DENY
                if (!candidates.isEmpty() && !allowed(requirement.getRevision().getBundle())) {
                    candidates.clear();
                }
            }

            @Override
            public void end() {
                // nothing held
            }
        };
    }

    private boolean allowed(Bundle b) {
        // getLocation needs AdminPermission; whoever triggered the resolve (maybe a plugin) may not hold it
        String location = AccessController.doPrivileged((PrivilegedAction<String>) b::getLocation);
        boolean ok = mayResolve(b.getBundleId(), location);
        if (!ok && reported.add(b.getBundleId())) {
            LOG.warn("AUDIT refused to resolve bundle {} ({}) at location '{}': only the runtime's bundles and "
                    + "plugins installed through the plugin installer (aw:install) may run", b.getBundleId(),
                    b.getSymbolicName(), location);
        }
        return ok;
    }
}
