package io.autoweave.plugin.installer.internal.repository;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.resource.Capability;
import org.osgi.resource.Requirement;
import org.osgi.resource.Resource;
import org.osgi.resource.Wiring;
import org.osgi.service.resolver.Resolver;

import io.autoweave.api.plugin.PluginLocation;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.PluginInstallException;

/**
 * What an {@code obr:} install brings: the newest plugin of the name and range asked for, then the dependencies it
 * needs that the framework does not provide yet, resolved by the framework's resolver against the configured (or the
 * named) repositories and the bundles already resolved.
 */
public final class RepositoryPlanner {
    private final PluginRepositories repositories;
    /** The framework's resolver (Felix registers its org.apache.felix.resolver as the OSGi Resolver service). */
    private final Resolver frameworkResolver;
    private final BundleContext ctx;
    /** Whether a plugin location was installed by the installer (others never resolve, so they offer nothing). */
    private final Predicate<String> recorded;

    public RepositoryPlanner(PluginRepositories repositories, Resolver frameworkResolver, BundleContext ctx,
            Predicate<String> recorded) {
        this.repositories = repositories;
        this.frameworkResolver = frameworkResolver;
        this.ctx = ctx;
        this.recorded = recorded;
    }

    /** The resources to install for a request: the newest matching plugin first, then what it needs. */
    public List<IndexedResource> plan(PluginRepositories.Request request) throws PluginInstallException {
        List<String> locations = request.repository() != null ? List.of(request.repository())
                : repositories.configured();
        if (locations.isEmpty()) {
            throw new PluginInstallException(InstallError.NO_REPOSITORY, "no plugin repository is configured: set repositories "
                    + "in etc/io.autoweave.plugin.installer.cfg (a directory with index.xml, or an index URL), or "
                    + "name one: aw:install --repo URL " + request.symbolicName());
        }
        List<IndexedResource> all = new ArrayList<>();
        for (String l : locations) {
            all.addAll(repositories.read(l));
        }
        RepositoryResolver resolver = new RepositoryResolver(all, installed(), frameworkResolver);
        String bsn = request.symbolicName();
        List<IndexedResource> named = resolver.named(bsn, request.range());
        if (named.isEmpty()) {
            List<IndexedResource> any = resolver.named(bsn, null);
            throw new PluginInstallException(InstallError.UNKNOWN_PLUGIN, any.isEmpty()
                    ? "no resource named " + bsn + " in the repositories " + locations + " (aw:repos lists what they hold)"
                    : bsn + " has no version in " + request.range() + " in " + locations + "; there is "
                            + any.stream().map(r -> r.version().toString()).collect(Collectors.joining(", ")));
        }
        try {
            return resolver.resolve(named.get(0));
        } catch (RepositoryResolver.Unresolvable e) {
            throw new PluginInstallException(InstallError.UNRESOLVABLE, "cannot install " + bsn + ": " + e.getMessage()
                    + "; nothing was installed", e);
        }
    }

    /**
     * The resolved bundles and their capabilities, as the resolver sees the framework. Bundles at plugin locations
     * the installer did not record never resolve (LocationGuard), so they are not offered.
     */
    private RepositoryResolver.Installed installed() {
        List<BundleWiring> resolved = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            if (PluginLocation.isPlugin(b.getLocation()) && !recorded.test(b.getLocation())) {
                continue;
            }
            BundleWiring w = b.adapt(BundleWiring.class);
            if (w != null && w.isInUse()) {
                resolved.add(w);
            }
        }
        return new RepositoryResolver.Installed() {
            @Override
            public List<Capability> providers(Requirement requirement) {
                List<Capability> found = new ArrayList<>();
                for (BundleWiring w : resolved) {
                    for (Capability c : w.getCapabilities(requirement.getNamespace())) {
                        if (RepositoryResolver.matches(requirement, c)) {
                            found.add(c);
                        }
                    }
                }
                return found;
            }

            @Override
            public Map<Resource, Wiring> wirings() {
                Map<Resource, Wiring> m = new HashMap<>();
                resolved.forEach(w -> m.put(w.getResource(), w));
                return m;
            }
        };
    }
}
