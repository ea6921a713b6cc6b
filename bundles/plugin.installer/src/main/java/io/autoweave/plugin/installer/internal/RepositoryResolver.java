package io.autoweave.plugin.installer.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.osgi.framework.VersionRange;

import io.autoweave.plugin.installer.internal.IndexedResource.Capability;
import io.autoweave.plugin.installer.internal.IndexedResource.Requirement;

/**
 * Chooses what to install for one plugin: the plugin and, transitively, a provider from the repositories for each
 * of its mandatory, resolve-time requirements that the running framework does not already satisfy. What is already
 * installed wins; among repository providers one already chosen wins, then the highest version. The choice is only a
 * plan: the framework's own resolver (Felix, with the security checks) decides when the set starts, and the set is
 * rolled back as a whole when it does not.
 *
 * <p>Why not a general resolver: Felix keeps {@code org.apache.felix.resolver} private and registers no OSGi
 * {@code Resolver} service, and bnd's resolver (biz.aQute.resolve + bndlib, several MB) would be the largest thing in
 * the runtime. A plugin with a few libraries needs a provider per requirement, not a search over alternatives; when
 * a requirement cannot be met the error names it.
 */
final class RepositoryResolver {

    /** A requirement nothing provides; the message names the chain of resources that led to it. */
    static final class Unresolvable extends Exception {
        private static final long serialVersionUID = 1L;

        Unresolvable(String message) {
            super(message);
        }
    }

    private final List<IndexedResource> available;
    private final Predicate<Requirement> framework;

    /**
     * @param available every resource of the configured repositories
     * @param framework whether an installed bundle (or the framework itself) provides a capability for a requirement
     */
    RepositoryResolver(List<IndexedResource> available, Predicate<Requirement> framework) {
        this.available = available;
        this.framework = framework;
    }

    /** The resources of a name in a version range, highest version first. */
    List<IndexedResource> named(String symbolicName, VersionRange range) {
        return available.stream().filter(r -> r.symbolicName().equals(symbolicName))
                .filter(r -> range == null || range.includes(r.version()))
                .sorted(Comparator.comparing(IndexedResource::version).reversed()).collect(Collectors.toList());
    }

    /**
     * The plugin first, then the dependencies it pulled in, in the order they were found.
     *
     * @throws Unresolvable naming the missing requirement and who needs it
     */
    List<IndexedResource> resolve(IndexedResource plugin) throws Unresolvable {
        Set<IndexedResource> chosen = new LinkedHashSet<>();
        chosen.add(plugin);
        Deque<IndexedResource> todo = new ArrayDeque<>();
        todo.add(plugin);
        while (!todo.isEmpty()) {
            IndexedResource r = todo.poll();
            for (Requirement req : r.requirements()) {
                if (req.optional() || !req.effectiveAtResolve() || providedBy(chosen, req).isPresent()
                        || framework.test(req)) {
                    continue;
                }
                Optional<IndexedResource> p = available.stream().filter(a -> !chosen.contains(a))
                        .filter(a -> provides(a, req)).max(Comparator.comparing(IndexedResource::version));
                if (p.isEmpty()) {
                    throw new Unresolvable(r.symbolicName() + " " + r.version() + (r == plugin ? "" : " (needed by "
                            + plugin.symbolicName() + ")") + " requires " + req + ", which nothing installed and no "
                            + "resource of the repositories provides");
                }
                chosen.add(p.get());
                todo.add(p.get());
            }
        }
        return new ArrayList<>(chosen);
    }

    private static Optional<IndexedResource> providedBy(Set<IndexedResource> set, Requirement req) {
        return set.stream().filter(r -> provides(r, req)).findFirst();
    }

    static boolean provides(IndexedResource r, Requirement req) {
        for (Capability c : r.capabilities()) {
            if (req.matches(c.namespace(), c.attributes())) {
                return true;
            }
        }
        return false;
    }
}
