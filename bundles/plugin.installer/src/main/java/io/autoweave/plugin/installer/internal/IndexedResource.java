package io.autoweave.plugin.installer.internal;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;

/**
 * One resource of a repository index: its identity, where its bytes are, and its capabilities and requirements with
 * typed attributes (as the OSGi Repository specification, chapter 132, defines them).
 *
 * @param symbolicName the {@code osgi.identity} name
 * @param version the identity version
 * @param type {@code osgi.bundle}, {@code osgi.fragment} or another identity type
 * @param content absolute URL of the jar ({@code osgi.content} url resolved against the index)
 * @param sha256 the content hash the index states, lower case hex; null when the index has none
 * @param capabilities what it provides
 * @param requirements what it needs
 * @param index the index it came from, for messages
 */
record IndexedResource(String symbolicName, Version version, String type, URI content, String sha256,
        List<Capability> capabilities, List<Requirement> requirements, String index) {

    /** A capability with typed attributes, ready for {@link Filter#matches(Map)}. */
    record Capability(String namespace, Map<String, Object> attributes, Map<String, String> directives) {
    }

    /** A requirement; {@code filter} is null when it has no filter directive (then it matches every capability). */
    record Requirement(String namespace, Map<String, Object> attributes, Map<String, String> directives,
            Filter filter) {

        static Requirement of(String namespace, Map<String, Object> attributes, Map<String, String> directives)
                throws InvalidSyntaxException {
            String f = directives.get("filter");
            return new Requirement(namespace, attributes, directives, f == null ? null : FrameworkUtil.createFilter(f));
        }

        boolean optional() {
            return "optional".equals(directives.get("resolution"));
        }

        /** Only requirements effective at resolve time decide whether a bundle can resolve. */
        boolean effectiveAtResolve() {
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

    boolean isFragment() {
        return "osgi.fragment".equals(type);
    }

    /** {@code bsn;version=v} as an obr: source names it. */
    String id() {
        return symbolicName + ";version=" + version;
    }
}
