package io.autoweave.plugin.installer.internal.repository;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;
import org.osgi.resource.Resource;

/**
 * One resource of a repository index, as an OSGi {@link Resource} the framework's resolver can work with: its
 * identity, where its bytes are, and its capabilities and requirements with typed attributes (as the OSGi Repository
 * specification, chapter 132, defines them). Identity equality, as the resolver expects.
 */
public final class IndexedResource implements Resource {
    private final String symbolicName;
    private final Version version;
    private final String type;
    private final URI content;
    private final String sha256;
    private final List<Capability> capabilities;
    private final List<Requirement> requirements;
    private final String index;

    /**
     * @param symbolicName the {@code osgi.identity} name
     * @param version the identity version
     * @param type {@code osgi.bundle}, {@code osgi.fragment} or another identity type
     * @param content absolute URL of the jar ({@code osgi.content} url resolved against the index)
     * @param sha256 the content hash the index states, lower case hex; null when the index has none
     * @param capabilities what it provides (bound to this resource here)
     * @param requirements what it needs (bound to this resource here)
     * @param index the index it came from, for messages
     */
    IndexedResource(String symbolicName, Version version, String type, URI content, String sha256,
            List<Capability> capabilities, List<Requirement> requirements, String index) {
        this.symbolicName = symbolicName;
        this.version = version;
        this.type = type;
        this.content = content;
        this.sha256 = sha256;
        this.capabilities = List.copyOf(capabilities);
        this.requirements = List.copyOf(requirements);
        this.index = index;
        this.capabilities.forEach(c -> c.resource = this);
        this.requirements.forEach(r -> r.resource = this);
    }

    public String symbolicName() {
        return symbolicName;
    }

    public Version version() {
        return version;
    }

    public String type() {
        return type;
    }

    public URI content() {
        return content;
    }

    public String sha256() {
        return sha256;
    }

    List<Capability> capabilities() {
        return capabilities;
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    public String index() {
        return index;
    }

    boolean isFragment() {
        return "osgi.fragment".equals(type);
    }

    /** {@code bsn;version=v} as an obr: source names it. */
    public String id() {
        return symbolicName + ";version=" + version;
    }

    @Override
    public List<org.osgi.resource.Capability> getCapabilities(String namespace) {
        return capabilities.stream().filter(c -> namespace == null || c.namespace.equals(namespace))
                .collect(Collectors.toList());
    }

    @Override
    public List<org.osgi.resource.Requirement> getRequirements(String namespace) {
        return requirements.stream().filter(r -> namespace == null || r.namespace.equals(namespace))
                .collect(Collectors.toList());
    }

    @Override
    public String toString() {
        return symbolicName + " " + version;
    }

    /** What a capability and a requirement share: a namespace, attributes, directives and the resource they belong to. */
    abstract static class Clause {
        final String namespace;
        final Map<String, Object> attributes;
        final Map<String, String> directives;
        IndexedResource resource;

        Clause(String namespace, Map<String, Object> attributes, Map<String, String> directives) {
            this.namespace = namespace;
            this.attributes = Map.copyOf(attributes);
            this.directives = Map.copyOf(directives);
        }

        String namespace() {
            return namespace;
        }

        public String getNamespace() {
            return namespace;
        }

        public Map<String, String> getDirectives() {
            return directives;
        }

        public Map<String, Object> getAttributes() {
            return attributes;
        }

        public Resource getResource() {
            return resource;
        }
    }

    /** A capability with typed attributes, ready for {@link Filter#matches(Map)}. */
    static final class Capability extends Clause implements org.osgi.resource.Capability {
        Capability(String namespace, Map<String, Object> attributes, Map<String, String> directives) {
            super(namespace, attributes, directives);
        }

        Map<String, Object> attributes() {
            return attributes;
        }

        @Override
        public String toString() {
            return namespace + attributes;
        }
    }

    /** A requirement; {@code filter} is null when it has no filter directive (then it matches every capability). */
    public static final class Requirement extends Clause implements org.osgi.resource.Requirement {
        private final Filter filter;

        private Requirement(String namespace, Map<String, Object> attributes, Map<String, String> directives,
                Filter filter) {
            super(namespace, attributes, directives);
            this.filter = filter;
        }

        static Requirement of(String namespace, Map<String, Object> attributes, Map<String, String> directives)
                throws InvalidSyntaxException {
            String f = directives.get("filter");
            return new Requirement(namespace, attributes, directives, f == null ? null : FrameworkUtil.createFilter(f));
        }

        public boolean optional() {
            return "optional".equals(directives.get("resolution"));
        }

        /** Only requirements effective at resolve time decide whether a bundle can resolve. */
        public boolean effectiveAtResolve() {
            String e = directives.get("effective");
            return e == null || "resolve".equals(e);
        }

        boolean matches(String capNamespace, Map<String, ?> capAttributes) {
            return namespace.equals(capNamespace) && (filter == null || filter.matches(capAttributes));
        }

        @Override
        public String toString() {
            return namespace + (filter == null ? "" : " " + filter);
        }
    }
}
