package io.autoweave.commons.resolve;

import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.Collection;

import org.osgi.framework.Bundle;
import org.osgi.framework.hooks.resolver.ResolverHook;
import org.osgi.framework.hooks.resolver.ResolverHookFactory;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;

/**
 * A resolver hook factory that keeps the bundles {@link #mayResolve} refuses from resolving: such a bundle gets no
 * provider for any of its requirements (java.*, org.osgi.framework, the DS extender, osgi.ee), so it fails with
 * "missing requirement" and stays INSTALLED; none of its code runs.
 *
 * <p>Why candidates are emptied in {@code filterMatches} and revisions are never removed in
 * {@code filterResolvable}: removing a revision there makes Felix 7.0.5 fail later, unrelated resolves ("missing
 * requirement osgi.wiring.package=org.osgi.framework" for a bundle that may resolve).
 */
public abstract class ResolveGate implements ResolverHookFactory {

    /**
     * Whether {@code bundle} may resolve; called during resolves, keep it quick and non-blocking.
     *
     * @param location the bundle's location, read with the gate's own privileges (whoever triggered the resolve,
     *        maybe a plugin, may lack the AdminPermission {@code getLocation} needs)
     */
    protected abstract boolean mayResolve(Bundle bundle, String location);

    @Override
    public final ResolverHook begin(Collection<BundleRevision> triggers) {
        return new ResolverHook() {
            @Override
            public void filterResolvable(Collection<BundleRevision> candidates) {
                // deliberately not used (see the class comment)
            }

            @Override
            public void filterSingletonCollisions(BundleCapability singleton,
                    Collection<BundleCapability> collisionCandidates) {
                // singletons are not a gate's concern
            }

            @Override
            public void filterMatches(BundleRequirement requirement, Collection<BundleCapability> candidates) {
                // asked even when no candidate is left (a blocked plugin whose permissions were revoked has none
                // for its imports): the gate's decision, and its audit, must not depend on who refused first
                Bundle b = requirement.getRevision().getBundle();
                String location = AccessController.doPrivileged((PrivilegedAction<String>) b::getLocation);
                if (!mayResolve(b, location) && !candidates.isEmpty()) {
                    candidates.clear();
                }
            }

            @Override
            public void end() {
                // nothing held
            }
        };
    }
}
