package io.autoweave.plugin.installer.internal.repository;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Version;

import io.autoweave.plugin.installer.internal.repository.IndexedResource.Capability;
import io.autoweave.plugin.installer.internal.repository.IndexedResource.Requirement;

/**
 * Reads a repository index in the two formats standard tooling writes, plain or gzipped:
 * <ul>
 * <li>the OSGi Repository XML (namespace {@code http://www.osgi.org/xmlns/repository/v1.0.0}, spec chapter 132.5),
 * which bnd ({@code bnd index}, bnd-indexer-maven-plugin, {@code SimpleIndexer}) and the OSGi repoindex write;</li>
 * <li>the Felix OBR {@code repository.xml} (bundlerepository, maven-bundle-plugin {@code obr} goals); its
 * {@code package} and {@code bundle} capabilities and requirements are mapped onto {@code osgi.wiring.package},
 * {@code osgi.wiring.bundle} and {@code osgi.identity}; its other requirements (ee, service) are left to the
 * framework's own resolution.</li>
 * </ul>
 * The parser refuses DTDs and external entities; every error names the index, line, column and element.
 * {@code referral} elements are not followed (a repository is one index).
 *
 * <p><b>Size.</b> Why one class of over 400 lines: both formats go through one streaming parser with one error path
 * (index, line, column, element); the OBR mapping onto the generic namespaces is most of it and is only correct
 * beside that parser.
 */
final class RepositoryIndex {
    static final String R5_NAMESPACE = "http://www.osgi.org/xmlns/repository/v1.0.0";
    /** Largest index XML read, after decompression (a gzip bomb stops here). */
    static final long MAX_XML_BYTES = 256L * 1024 * 1024;

    /** A malformed index: the message names the index, line, column and what is wrong. */
    static final class IndexException extends Exception {
        private static final long serialVersionUID = 1L;

        IndexException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Stops reading past a limit with an IOException that names the index. */
    static final class Capped extends java.io.FilterInputStream {
        private final long max;
        private final String name;
        private long count;

        Capped(InputStream in, long max, String name) {
            super(in);
            this.max = max;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws IOException {
            count += n;
            if (count > max) {
                throw new IOException("index " + name + " is larger than " + max + " bytes of XML (after "
                        + "decompression); refused");
            }
        }
    }

    private final String name;
    private final URI base;
    private XMLStreamReader xml;

    private RepositoryIndex(String name, URI base) {
        this.name = name;
        this.base = base;
    }

    /**
     * Parses an index.
     *
     * @param in the index bytes, plain or gzip (detected by its magic number)
     * @param location the index URL: names it in messages and resolves relative content URLs
     */
    static List<IndexedResource> parse(InputStream in, URI location) throws IndexException, IOException {
        return new RepositoryIndex(location.toString(), location).read(in);
    }

    private List<IndexedResource> read(InputStream raw) throws IndexException, IOException {
        try {
            return readChecked(raw);
        } catch (java.io.EOFException | java.util.zip.ZipException e) {
            // a gzipped index cut short or corrupt: the JDK's messages are empty or cryptic
            throw error("the gzip data ends early or is corrupt (" + (e.getMessage() == null ? "unexpected end"
                    : e.getMessage()) + "): download the index again", e);
        }
    }

    private List<IndexedResource> readChecked(InputStream raw) throws IndexException, IOException {
        InputStream in = new BufferedInputStream(raw);
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        if (b1 == 0x1f && b2 == 0x8b) {
            in = new GZIPInputStream(in);
        }
        in = new Capped(in, MAX_XML_BYTES, name);
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        try {
            xml = f.createXMLStreamReader(in);
            xml.nextTag();
            if (!"repository".equals(xml.getLocalName())) {
                throw error("the root element is <" + xml.getLocalName() + ">, not <repository>: this is not an "
                        + "OSGi repository index (index.xml) nor a Felix OBR repository.xml", null);
            }
            boolean r5 = R5_NAMESPACE.equals(xml.getNamespaceURI());
            List<IndexedResource> resources = new ArrayList<>();
            while (xml.nextTag() == XMLStreamConstants.START_ELEMENT) {
                switch (xml.getLocalName()) {
                    case "resource":
                        resources.add(r5 ? r5Resource() : obrResource());
                        break;
                    default:
                        skip(); // referral, obr category lists, extensions
                }
            }
            return resources;
        } catch (XMLStreamException e) {
            Location l = e.getLocation();
            throw new IndexException("index " + name + (l == null ? "" : " line " + l.getLineNumber() + " column "
                    + l.getColumnNumber()) + ": not well-formed XML: " + cleanMessage(e), e);
        } catch (IllegalStateException | java.util.NoSuchElementException e) {
            throw error("unexpected content: " + e.getMessage(), e);
        } catch (java.util.MissingResourceException e) {
            // the JDK's StAX parser fails this way on some malformed DTDs (its message key InvalidCharInDTD has no
            // text); DTDs are refused anyway, so this is malformed XML like any other
            throw error("not well-formed XML (" + e.getKey() + ")", e);
        }
    }

    private static String cleanMessage(XMLStreamException e) {
        String m = e.getMessage();
        int i = m == null ? -1 : m.indexOf("Message: ");
        return i < 0 ? String.valueOf(m) : m.substring(i + 9);
    }

    private IndexException error(String what, Throwable cause) {
        Location l = xml == null ? null : xml.getLocation();
        return new IndexException("index " + name + (l == null ? "" : " line " + l.getLineNumber() + " column "
                + l.getColumnNumber()) + ": " + what, cause);
    }

    private void skip() throws XMLStreamException {
        for (int depth = 1; depth > 0;) {
            int e = xml.next();
            if (e == XMLStreamConstants.START_ELEMENT) {
                depth++;
            } else if (e == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
    }

    private String required(String attribute) throws IndexException {
        String v = xml.getAttributeValue(null, attribute);
        if (v == null) {
            throw error("<" + xml.getLocalName() + "> has no '" + attribute + "' attribute", null);
        }
        return v;
    }

    // ---- OSGi Repository XML -------------------------------------------------------------------------------------

    private IndexedResource r5Resource() throws XMLStreamException, IndexException {
        List<Capability> caps = new ArrayList<>();
        List<Requirement> reqs = new ArrayList<>();
        while (xml.nextTag() == XMLStreamConstants.START_ELEMENT) {
            String element = xml.getLocalName();
            if (!element.equals("capability") && !element.equals("requirement")) {
                skip();
                continue;
            }
            String namespace = required("namespace");
            Map<String, Object> attrs = new LinkedHashMap<>();
            Map<String, String> dirs = new LinkedHashMap<>();
            while (xml.nextTag() == XMLStreamConstants.START_ELEMENT) {
                String child = xml.getLocalName();
                if (child.equals("attribute")) {
                    String n = required("name");
                    attrs.put(n, typed(n, xml.getAttributeValue(null, "type"), required("value")));
                } else if (child.equals("directive")) {
                    dirs.put(required("name"), required("value"));
                } else {
                    throw error("unexpected <" + child + "> inside <" + element + ">: only <attribute> and "
                            + "<directive> belong there", null);
                }
                skip();
            }
            if (element.equals("capability")) {
                caps.add(new Capability(namespace, attrs, dirs));
            } else {
                try {
                    reqs.add(Requirement.of(namespace, attrs, dirs));
                } catch (InvalidSyntaxException e) {
                    throw error("requirement " + namespace + " has a bad filter '" + dirs.get("filter") + "': "
                            + e.getMessage(), e);
                }
            }
        }
        return build(caps, reqs);
    }

    private Object typed(String attribute, String type, String value) throws IndexException {
        String t = type == null ? "String" : type.replace(" ", "");
        try {
            switch (t) {
                case "String": return value;
                case "Version": return Version.parseVersion(value.trim());
                case "Long": return Long.valueOf(value.trim());
                case "Double": return Double.valueOf(value.trim());
                default:
                    if (t.startsWith("List<") && t.endsWith(">")) {
                        String elem = t.substring(5, t.length() - 1);
                        List<Object> list = new ArrayList<>();
                        for (String part : splitList(value)) {
                            list.add(typed(attribute, elem, part));
                        }
                        return list;
                    }
                    throw error("attribute '" + attribute + "' has unknown type '" + type + "' (String, Version, Long, "
                            + "Double or List<...> of them)", null);
            }
        } catch (IllegalArgumentException e) {
            throw error("attribute '" + attribute + "' value '" + value + "' is not a " + t + ": " + e.getMessage(), e);
        }
    }

    private static List<String> splitList(String value) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                cur.append(value.charAt(++i));
            } else if (c == ',') {
                parts.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString().trim());
        return parts;
    }

    private IndexedResource build(List<Capability> caps, List<Requirement> reqs) throws IndexException {
        Capability identity = null;
        Capability content = null;
        for (Capability c : caps) {
            if (c.namespace().equals("osgi.identity") && identity == null) {
                identity = c;
            } else if (c.namespace().equals("osgi.content") && content == null) {
                content = c;
            }
        }
        if (identity == null || !(identity.attributes().get("osgi.identity") instanceof String)) {
            throw error("a <resource> has no osgi.identity capability with an osgi.identity name", null);
        }
        String bsn = (String) identity.attributes().get("osgi.identity");
        Object v = identity.attributes().get("version");
        Version version;
        try {
            version = v instanceof Version ? (Version) v : v == null ? Version.emptyVersion
                    : Version.parseVersion(v.toString());
        } catch (IllegalArgumentException e) { // an untyped version attribute: parsed only here
            throw error("resource " + bsn + " has a bad version '" + v + "'", e);
        }
        Object type = identity.attributes().getOrDefault("type", "osgi.bundle");
        if (content == null || content.attributes().get("url") == null) {
            throw error("resource " + bsn + " " + version + " has no osgi.content capability with a url, so it "
                    + "cannot be downloaded", null);
        }
        Object sha = content.attributes().get("osgi.content");
        return new IndexedResource(bsn, version, type.toString(), resolve(content.attributes().get("url").toString(),
                bsn), sha == null ? null : sha.toString().toLowerCase(Locale.ROOT), List.copyOf(caps), List.copyOf(reqs),
                name);
    }

    private URI resolve(String url, String bsn) throws IndexException {
        URI content;
        try {
            content = base.resolve(new URI(url.replace(" ", "%20")));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw error("resource " + bsn + " has a bad content url '" + url + "': " + e.getMessage(), e);
        }
        if (isRemote(base) && !isRemote(content)) {
            // a remote index must not make the installer read files of this host
            throw error("resource " + bsn + " has content url '" + url + "', which is not http(s); a remote index may "
                    + "only point to http(s) content", null);
        }
        return content;
    }

    private static boolean isRemote(URI uri) {
        String s = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return s.equals("http") || s.equals("https");
    }

    // ---- Felix OBR repository.xml ---------------------------------------------------------------------------------

    private IndexedResource obrResource() throws XMLStreamException, IndexException {
        String bsn = required("symbolicname");
        String version = xml.getAttributeValue(null, "version");
        String uri = required("uri");
        List<Capability> caps = new ArrayList<>();
        List<Requirement> reqs = new ArrayList<>();
        boolean fragment = false;
        while (xml.nextTag() == XMLStreamConstants.START_ELEMENT) {
            String element = xml.getLocalName();
            if (element.equals("capability")) {
                String capName = required("name");
                Map<String, Object> props = new LinkedHashMap<>();
                while (xml.nextTag() == XMLStreamConstants.START_ELEMENT) {
                    if (xml.getLocalName().equals("p")) {
                        String n = required("n");
                        String t = xml.getAttributeValue(null, "t");
                        props.put(n, typed(n, t == null ? null : obrType(t), required("v")));
                    }
                    skip();
                }
                obrCapability(capName, props, caps);
                if (capName.equals("fragment")) {
                    fragment = true;
                }
            } else if (element.equals("require")) {
                String reqName = required("name");
                String filter = required("filter");
                boolean optional = "true".equals(xml.getAttributeValue(null, "optional"));
                skip();
                Requirement r = obrRequirement(reqName, filter, optional);
                if (r != null) {
                    reqs.add(r);
                }
            } else {
                skip();
            }
        }
        Version v;
        try {
            v = version == null ? Version.emptyVersion : Version.parseVersion(version.trim());
        } catch (IllegalArgumentException e) {
            throw error("resource " + bsn + " has a bad version '" + version + "'", e);
        }
        caps.add(0, new Capability("osgi.identity", Map.of("osgi.identity", bsn, "version", v, "type",
                fragment ? "osgi.fragment" : "osgi.bundle"), Map.of()));
        return new IndexedResource(bsn, v, fragment ? "osgi.fragment" : "osgi.bundle", resolve(uri, bsn), null,
                List.copyOf(caps), List.copyOf(reqs), name);
    }

    private static String obrType(String t) {
        switch (t.toLowerCase(Locale.ROOT)) {
            case "version": return "Version";
            case "long": return "Long";
            case "double": return "Double";
            case "set": return "List<String>";
            default: return "String";
        }
    }

    private static void obrCapability(String name, Map<String, Object> p, List<Capability> caps) {
        if (name.equals("package") && p.get("package") != null) {
            Map<String, Object> a = new LinkedHashMap<>(p);
            a.put("osgi.wiring.package", a.remove("package"));
            a.putIfAbsent("version", Version.emptyVersion);
            caps.add(new Capability("osgi.wiring.package", a, Map.of()));
        } else if (name.equals("bundle") && p.get("symbolicname") != null) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("osgi.wiring.bundle", p.get("symbolicname"));
            a.put("bundle-version", p.getOrDefault("version", Version.emptyVersion));
            caps.add(new Capability("osgi.wiring.bundle", a, Map.of()));
        } else {
            caps.add(new Capability(name, p, Map.of()));
        }
    }

    private Requirement obrRequirement(String name, String filter, boolean optional) throws IndexException {
        String namespace;
        String f;
        if (name.equals("package")) {
            namespace = "osgi.wiring.package";
            f = filter.replace("(package=", "(osgi.wiring.package=");
        } else if (name.equals("bundle")) {
            namespace = "osgi.wiring.bundle";
            f = filter.replace("(symbolicname=", "(osgi.wiring.bundle=").replace("(version", "(bundle-version");
        } else {
            return null; // ee, service, ...: the framework checks what it must when the bundle resolves
        }
        try {
            return Requirement.of(namespace, Map.of(), optional ? Map.of("filter", f, "resolution", "optional")
                    : Map.of("filter", f));
        } catch (InvalidSyntaxException e) {
            throw error("require " + name + " has a bad filter '" + filter + "': " + e.getMessage(), e);
        }
    }
}
