package io.autoweave.plugin.installer.internal.repository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.VersionRange;
import org.osgi.resource.Capability;
import org.osgi.resource.Requirement;
import org.osgi.resource.Resource;
import org.osgi.resource.Wire;
import org.osgi.resource.Wiring;
import org.osgi.service.resolver.HostedCapability;
import org.osgi.service.resolver.ResolutionException;
import org.osgi.service.resolver.ResolveContext;
import org.osgi.service.resolver.Resolver;

/**
 * Chooses what to install for one plugin with the framework's own resolver: the OSGi {@link Resolver} service that
 * Felix registers (its {@code org.apache.felix.resolver}, the one that wires every bundle), asked through a
 * {@link ResolveContext} whose world is what is resolved in the framework now plus the repositories' resources.
 * Installed providers come first (the framework has them wired already), then repository resources, highest version
 * first. Every repository resource in the answer has to be installed; uses constraints, singletons, fragments and
 * {@code osgi.ee} are decided as the framework will decide them when the set starts. The framework still has the last
 * word (with its security checks) and the set is rolled back as a whole when it does not start.
 */
public final class RepositoryResolver {

    /** What the running framework offers: capabilities of resolved bundles and their wirings. */
    public interface Installed {
        /** Capabilities of resolved bundles (and the framework) that match the requirement. */
        List<Capability> providers(Requirement requirement);

        /** The wiring of every resolved bundle revision. */
        Map<Resource, Wiring> wirings();
    }

    /** No resolution: the message names what is missing and who needs it. */
    public static final class Unresolvable extends Exception {
        private static final long serialVersionUID = 1L;

        Unresolvable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final List<IndexedResource> available;
    private final Installed installed;
    private final Resolver resolver;

    public RepositoryResolver(List<IndexedResource> available, Installed installed, Resolver resolver) {
        this.available = available.stream().sorted(Comparator.comparing(IndexedResource::version).reversed())
                .collect(Collectors.toList());
        this.installed = installed;
        this.resolver = resolver;
    }

    /** The resources of a name in a version range, highest version first. */
    public List<IndexedResource> named(String symbolicName, VersionRange range) {
        return available.stream().filter(r -> r.symbolicName().equals(symbolicName))
                .filter(r -> range == null || range.includes(r.version())).collect(Collectors.toList());
    }

    /**
     * The plugin first, then the repository resources the resolver wired it to (transitively).
     *
     * @throws Unresolvable with the resolver's account of the missing requirement
     */
    public List<IndexedResource> resolve(IndexedResource plugin) throws Unresolvable {
        Map<Resource, List<Wire>> wires;
        try {
            wires = resolver.resolve(new Context(plugin));
        } catch (ResolutionException e) {
            String missing = e.getUnresolvedRequirements().stream().map(r -> r.getResource() + " requires "
                    + r.getNamespace() + " " + r.getDirectives().getOrDefault("filter", ""))
                    .collect(Collectors.joining("; "));
            throw new Unresolvable((missing.isEmpty() ? "" : missing + ", which nothing installed and no resource "
                    + "of the repositories provides. ") + "Resolver: " + e.getMessage(), e);
        }
        List<IndexedResource> set = new ArrayList<>();
        set.add(plugin);
        for (Resource r : wires.keySet()) {
            if (r != plugin && r instanceof IndexedResource x && available.contains(x)) {
                set.add(x);
            }
        }
        return set;
    }

    public static boolean matches(Requirement req, Capability cap) {
        if (!req.getNamespace().equals(cap.getNamespace())) {
            return false;
        }
        if (req instanceof IndexedResource.Requirement ir) {
            return ir.matches(cap.getNamespace(), cap.getAttributes());
        }
        String f = req.getDirectives().get("filter");
        try {
            Filter filter = f == null ? null : FrameworkUtil.createFilter(f);
            return filter == null || filter.matches(cap.getAttributes());
        } catch (InvalidSyntaxException e) {
            return false;
        }
    }

    /** The resolver's view: the plugin is mandatory, the rest comes when it is needed. */
    private final class Context extends ResolveContext {
        private final IndexedResource plugin;
        private final Map<Resource, Wiring> wirings;

        Context(IndexedResource plugin) {
            this.plugin = plugin;
            this.wirings = new HashMap<>(installed.wirings());
        }

        @Override
        public Collection<Resource> getMandatoryResources() {
            return List.of(plugin);
        }

        @Override
        public List<Capability> findProviders(Requirement requirement) {
            List<Capability> found = new ArrayList<>(installed.providers(requirement));
            for (IndexedResource r : available) {
                for (Capability c : r.getCapabilities(requirement.getNamespace())) {
                    if (matches(requirement, c)) {
                        found.add(c);
                    }
                }
            }
            return found;
        }

        @Override
        public int insertHostedCapability(List<Capability> capabilities, HostedCapability hosted) {
            capabilities.add(hosted);
            return capabilities.size() - 1;
        }

        @Override
        public boolean isEffective(Requirement requirement) {
            String e = requirement.getDirectives().get("effective");
            return e == null || "resolve".equals(e);
        }

        @Override
        public Map<Resource, Wiring> getWirings() {
            return wirings;
        }
    }
}
