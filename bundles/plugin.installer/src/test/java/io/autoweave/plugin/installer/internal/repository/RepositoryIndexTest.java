package io.autoweave.plugin.installer.internal.repository;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.felix.resolver.Logger;
import org.apache.felix.resolver.ResolverImpl;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

import aQute.bnd.osgi.repository.SimpleIndexer;
import io.autoweave.plugin.installer.internal.repository.IndexedResource.Requirement;
import io.autoweave.plugin.installer.testing.TestSigning;
import io.autoweave.plugin.installer.internal.fetch.Fetcher;

/**
 * The index reader against indexes bnd's own indexer ({@link SimpleIndexer}, what {@code bnd index} and the
 * bnd-indexer-maven-plugin run) writes over real bundles, plain and gzipped; a Felix OBR repository.xml; broken
 * indexes; and the resolver's choices over them.
 */
public class RepositoryIndexTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path bundle(String name, String bsn, String version, String exports, String imports) {
        Map<String, String> h = TestSigning.bundleHeaders(bsn);
        h.put("Bundle-Version", version);
        if (exports != null) {
            h.put("Export-Package", exports);
        }
        if (imports != null) {
            h.put("Import-Package", imports);
        }
        return TestSigning.writeJar(tmp.getRoot().toPath().resolve(name), h, Map.of("readme.txt",
                bsn.getBytes(StandardCharsets.UTF_8)));
    }

    private Path index(boolean gzip, Path... jars) throws IOException {
        Path out = tmp.getRoot().toPath().resolve(gzip ? "index.xml.gz" : "index.xml");
        new SimpleIndexer().files(List.of(jars).stream().map(Path::toFile).collect(Collectors.toList()))
                .base(tmp.getRoot().toURI()).name("test").compress(gzip).index(out.toFile());
        return out;
    }

    private static List<IndexedResource> parse(Path index) throws Exception {
        try (InputStream in = Files.newInputStream(index)) {
            return RepositoryIndex.parse(in, index.toUri());
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    public void readsABndIndexPlainAndGzippedWithIdentityContentAndRequirements() throws Exception {
        Path lib = bundle("lib.jar", "com.example.lib", "1.2.3", "com.example.lib.api;version=1.2.3", null);
        Path plugin = bundle("plugin.jar", "com.example.plugin", "2.0.0", null,
                "com.example.lib.api;version=\"[1.2,2)\"");
        for (boolean gzip : new boolean[] { false, true }) {
            List<IndexedResource> all = parse(index(gzip, lib, plugin));
            assertEquals(2, all.size());
            IndexedResource l = all.stream().filter(r -> r.symbolicName().equals("com.example.lib")).findFirst()
                    .orElseThrow();
            assertEquals(new Version(1, 2, 3), l.version());
            assertEquals("osgi.bundle", l.type());
            assertEquals(lib.toUri(), l.content());
            assertEquals(sha256(lib), l.sha256());
            IndexedResource p = all.stream().filter(r -> r.symbolicName().equals("com.example.plugin")).findFirst()
                    .orElseThrow();
            Requirement imp = p.requirements().stream().filter(r -> r.namespace().equals("osgi.wiring.package"))
                    .findFirst().orElseThrow();
            assertTrue(imp.toString(), l.getCapabilities("osgi.wiring.package").stream().anyMatch(c -> RepositoryResolver.matches(imp, c)));
        }
    }

    /**
     * A stand-in for the running framework: one resource exporting the given packages (and osgi.ee JavaSE 17),
     * offered as a provider. It has no wiring, so the resolver resolves it along; it is not a repository resource,
     * so it is never in the install set.
     */
    private static RepositoryResolver.Installed framework(String... packages) throws Exception {
        List<IndexedResource.Capability> caps = new ArrayList<>();
        caps.add(new IndexedResource.Capability("osgi.identity", Map.of("osgi.identity", "system.bundle",
                "version", Version.emptyVersion), Map.of()));
        caps.add(new IndexedResource.Capability("osgi.ee", Map.of("osgi.ee", "JavaSE", "version",
                List.of(new Version(17, 0, 0))), Map.of()));
        for (String p : packages) {
            caps.add(new IndexedResource.Capability("osgi.wiring.package", Map.of("osgi.wiring.package", p,
                    "version", new Version(1, 10, 0)), Map.of()));
        }
        IndexedResource fw = new IndexedResource("system.bundle", Version.emptyVersion, "osgi.bundle",
                URI.create("file:/framework"), null, caps, List.of(), "framework");
        return new RepositoryResolver.Installed() {
            @Override
            public List<org.osgi.resource.Capability> providers(org.osgi.resource.Requirement req) {
                return fw.getCapabilities(req.getNamespace()).stream().filter(c -> RepositoryResolver.matches(req, c))
                        .collect(Collectors.toList());
            }

            @Override
            public Map<org.osgi.resource.Resource, org.osgi.resource.Wiring> wirings() {
                return Map.of();
            }
        };
    }

    private static RepositoryResolver resolver(List<IndexedResource> all, RepositoryResolver.Installed installed) {
        return new RepositoryResolver(all, installed, new ResolverImpl(new Logger(Logger.LOG_ERROR)));
    }

    @Test
    public void theResolverAddsTheLibraryThePluginNeedsAndPrefersWhatTheFrameworkHas() throws Exception {
        Path lib1 = bundle("lib1.jar", "com.example.lib", "1.2.0", "com.example.lib.api;version=1.2.0", null);
        Path lib2 = bundle("lib2.jar", "com.example.lib", "1.5.0", "com.example.lib.api;version=1.5.0", null);
        Path lib3 = bundle("lib3.jar", "com.example.lib", "2.0.0", "com.example.lib.api;version=2.0.0", null);
        Path plugin = bundle("plugin.jar", "com.example.plugin", "2.0.0", null,
                "com.example.lib.api;version=\"[1.2,2)\",org.osgi.framework;version=\"[1.8,2)\"");
        List<IndexedResource> all = parse(index(false, lib1, lib2, lib3, plugin));
        RepositoryResolver fromRepo = resolver(all, framework("org.osgi.framework"));
        List<IndexedResource> set = fromRepo.resolve(fromRepo.named("com.example.plugin", null).get(0));
        assertEquals(List.of("com.example.plugin;version=2.0.0", "com.example.lib;version=1.5.0"),
                set.stream().map(IndexedResource::id).collect(Collectors.toList()));

        RepositoryResolver frameworkHasAll = resolver(all, framework("org.osgi.framework", "com.example.lib.api"));
        assertEquals(1, frameworkHasAll.resolve(frameworkHasAll.named("com.example.plugin", null).get(0)).size());

        assertEquals(new Version(1, 2, 0), fromRepo.named("com.example.lib", new VersionRange("[1.0,1.3)")).get(0)
                .version());
    }

    @Test
    public void anUnresolvableRequirementIsNamed() throws Exception {
        Path plugin = bundle("plugin.jar", "com.example.plugin", "1.0.0", null, "com.example.missing;version=1.0");
        List<IndexedResource> all = parse(index(false, plugin));
        RepositoryResolver r = resolver(all, framework());
        try {
            r.resolve(all.get(0));
            fail("resolved");
        } catch (RepositoryResolver.Unresolvable e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("com.example.plugin 1.0.0 requires osgi.wiring.package"));
            assertTrue(e.getMessage(), e.getMessage().contains("com.example.missing"));
        }
    }

    @Test
    public void readsAFelixObrRepositoryXml() throws Exception {
        String xml = "<?xml version='1.0' encoding='utf-8'?>\n"
                + "<repository name='felix' lastmodified='20240101000000.000'>\n"
                + " <resource id='lib/1.0.0' symbolicname='com.example.lib' version='1.0.0' uri='lib.jar'>\n"
                + "  <capability name='bundle'><p n='symbolicname' v='com.example.lib'/>"
                + "<p n='version' t='version' v='1.0.0'/></capability>\n"
                + "  <capability name='package'><p n='package' v='com.example.lib.api'/>"
                + "<p n='version' t='version' v='1.0.0'/></capability>\n"
                + " </resource>\n"
                + " <resource id='p/1.0.0' symbolicname='com.example.plugin' version='1.0.0' uri='sub/p.jar'>\n"
                + "  <require name='package' filter='(&amp;(package=com.example.lib.api)(version&gt;=1.0.0))'"
                + " extend='false' multiple='false' optional='false'>Import package com.example.lib.api</require>\n"
                + "  <require name='ee' filter='(|(ee=JavaSE-17))'/>\n"
                + " </resource>\n"
                + "</repository>\n";
        URI base = URI.create("http://127.0.0.1:1/repo/repository.xml");
        List<IndexedResource> all = RepositoryIndex.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)),
                base);
        assertEquals(2, all.size());
        assertEquals(URI.create("http://127.0.0.1:1/repo/sub/p.jar"), all.get(1).content());
        assertNull(all.get(1).sha256());
        RepositoryResolver r = resolver(all, framework());
        assertEquals(List.of("com.example.plugin", "com.example.lib"), r.resolve(all.get(1)).stream()
                .map(IndexedResource::symbolicName).collect(Collectors.toList()));
    }

    private static String error(String xml) {
        try {
            RepositoryIndex.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)),
                    URI.create("file:/repo/index.xml"));
            fail("parsed " + xml);
            return null;
        } catch (RepositoryIndex.IndexException e) {
            return e.getMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void aBadIndexIsReportedWithLineAndElement() {
        String ns = "<repository xmlns='" + RepositoryIndex.R5_NAMESPACE + "'>\n";
        String broken = error(ns + "<resource>\n<capability namespace='osgi.identity'>\n</resource>\n</repository>");
        assertTrue(broken, broken.startsWith("index file:/repo/index.xml line 4"));
        assertTrue(broken, broken.contains("not well-formed"));

        String noNamespace = error(ns + "<resource>\n  <capability>\n</capability></resource></repository>");
        assertTrue(noNamespace, noNamespace.contains("line 3"));
        assertTrue(noNamespace, noNamespace.contains("<capability> has no 'namespace' attribute"));

        String badVersion = error(ns + "<resource>\n<capability namespace='osgi.identity'>\n"
                + "<attribute name='version' type='Version' value='one'/></capability></resource></repository>");
        assertTrue(badVersion, badVersion.contains("line 4") && badVersion.contains("'version' value 'one'"));

        // untyped, the version attribute is parsed only when the resource is built (fuzz finding 9)
        String untypedVersion = error(ns + "<resource>\n<capability namespace='osgi.identity'>\n"
                + "<attribute name='osgi.identity' value='x'/><attribute name='version' value='??1.2.3'/>"
                + "</capability></resource></repository>");
        assertTrue(untypedVersion, untypedVersion.contains("resource x has a bad version '??1.2.3'"));

        String noContent = error(ns + "<resource><capability namespace='osgi.identity'>"
                + "<attribute name='osgi.identity' value='x'/></capability>\n</resource></repository>");
        assertTrue(noContent, noContent.contains("resource x 0.0.0 has no osgi.content capability with a url"));

        String remoteToLocal = null;
        try {
            RepositoryIndex.parse(new ByteArrayInputStream((ns + "<resource><capability namespace='osgi.identity'>"
                    + "<attribute name='osgi.identity' value='x'/></capability><capability namespace='osgi.content'>"
                    + "<attribute name='url' value='file:/etc/passwd'/></capability></resource></repository>")
                    .getBytes(StandardCharsets.UTF_8)), URI.create("https://repo.example.com/index.xml"));
            fail("a remote index pointed to a local file");
        } catch (RepositoryIndex.IndexException | IOException e) {
            remoteToLocal = e.getMessage();
        }
        assertTrue(remoteToLocal, remoteToLocal.contains("a remote index may only point to http(s) content"));

        String notAnIndex = error("<project/>");
        assertTrue(notAnIndex, notAnIndex.contains("not an OSGi repository index"));

        String entity = error("<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>" + ns + "&x;</repository>");
        assertTrue(entity, entity.contains("index file:/repo/index.xml"));
    }

    /** Found by RepositoryIndexFuzzTest: a NUL in a DTD made the JDK's parser throw MissingResourceException. */
    @Test
    public void aNulCharacterInADtdIsMalformedXmlNamingTheIndex() {
        String nul = error("<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///e\0\0\0\0asswd\">]><repository>&x;</repository>");
        assertTrue(nul, nul.startsWith("index file:/repo/index.xml line 1 column "));
        assertTrue(nul, nul.contains("not well-formed XML"));
    }

    @Test
    public void aGzipBombStopsAtTheXmlLimit() throws Exception {
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(("<repository xmlns='" + RepositoryIndex.R5_NAMESPACE + "'><!-- ").getBytes(StandardCharsets.UTF_8));
            byte[] spaces = new byte[1024 * 1024];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < RepositoryIndex.MAX_XML_BYTES / spaces.length + 2; i++) {
                out.write(spaces);
            }
        }
        assertTrue(gz.size() < 2 * 1024 * 1024);
        try {
            RepositoryIndex.parse(new ByteArrayInputStream(gz.toByteArray()), URI.create("file:/bomb/index.xml.gz"));
            fail("read a bomb");
        } catch (IOException | RepositoryIndex.IndexException e) {
            assertTrue(String.valueOf(e.getMessage()), String.valueOf(e.getMessage()).contains("is larger than"));
        }
    }

    @Test
    public void obrSourcesAreParsedWithClearErrors() throws Exception {
        PluginRepositories.Request r = PluginRepositories.Request.parse("obr:com.example.p;version=[1.0,2)");
        assertEquals("com.example.p", r.symbolicName());
        assertEquals(new VersionRange("[1.0,2)"), r.range());
        assertNull(r.repository());
        r = PluginRepositories.Request.parse("obr:com.example.p;repository=http://127.0.0.1:9/a;b/index.xml");
        assertEquals("http://127.0.0.1:9/a;b/index.xml", r.repository());
        for (String bad : new String[] { "obr:", "obr:x;version=[1,", "obr:x;foo=1" }) {
            try {
                PluginRepositories.Request.parse(bad);
                fail(bad);
            } catch (io.autoweave.plugin.installer.PluginInstallException e) {
                assertEquals(bad, "BAD_SOURCE", e.code());
            }
        }
        assertEquals(List.of("a", "b", "c"), PluginRepositories.split(new String[] { "a, b", " c ", "" }));
        File none = tmp.newFolder("empty");
        try {
            new PluginRepositories(List.of(), new Fetcher(tmp.getRoot().toPath(), 1000, 1000)).read(none.toString());
            fail();
        } catch (io.autoweave.plugin.installer.PluginInstallException e) {
            assertEquals("BAD_INDEX", e.code());
            assertTrue(e.getMessage(), e.getMessage().contains("has no index"));
        }
    }
}
