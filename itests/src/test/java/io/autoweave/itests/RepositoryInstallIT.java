package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.AfterClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import com.sun.net.httpserver.HttpServer;

import aQute.bnd.osgi.repository.SimpleIndexer;
import io.autoweave.itests.repo.lib.Greeting;
import io.autoweave.itests.repo.plugin.GreetingPlugin;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * Plugins installed by name from repositories, in the real runtime with security on: indexes written at test time by
 * bnd's own indexer ({@link SimpleIndexer}, what {@code bnd index} and the bnd-indexer-maven-plugin run) over jars
 * signed here; a plugin that needs a library bundle; a directory repository and a gzipped index served over
 * loopback http; an unsigned dependency that refuses the whole install; unknown names, unresolvable requirements and
 * a broken index, each with a message that says what is wrong.
 */
public class RepositoryInstallIT {
    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-repo-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave ITest Repository CA");
    private static final TestSigning.Credentials SIGNER = TestSigning.issue(CA, "ITest Repository Signer");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("truststore.p12"), PASSWORD.toCharArray(),
            CA.certificate());

    static final String PLUGIN = "itest.repo.plugin";
    static final String LIB = "itest.repo.lib";
    private static final String LIB_PACKAGE = Greeting.class.getPackageName();

    /** Signed plugin + signed library, plain index.xml and gzipped index.xml.gz. */
    private static final Path GOOD = repository("good", true, true);
    /** The same plugin with an unsigned library. */
    private static final Path UNSIGNED_DEP = repository("unsigned-dep", true, false);
    /** The plugin alone: its import of the library package cannot be met. */
    private static final Path NO_LIB = repository("no-lib", false, true);
    private static final HttpServer HTTP = serve(GOOD);

    /** Plugins may share the library package: the row an operator adds for a library the plugins use. */
    private static final String LIBRARY_ROW = "ALLOW {\n"
            + "  [org.osgi.service.condpermadmin.BundleLocationCondition \"plugin:*\"]\n"
            + "  (org.osgi.framework.PackagePermission \"" + LIB_PACKAGE + "\" \"exportonly,import\")\n"
            + "} \"itest-shared-library\"\n";

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .policies(RuntimeHarness.policyDir(Map.of("60-itest-libraries.policy", LIBRARY_ROW)))
            .config("io.autoweave.plugin.installer.cfg", "trust.store.path=" + TRUST + "\n.trust.store.password="
                    + PASSWORD + "\nrepositories=" + GOOD + "\n");

    @AfterClass
    public static void stopHttp() {
        HTTP.stop(0);
    }

    // ---- fixtures ------------------------------------------------------------------------------------------------

    private static byte[] classBytes(Class<?> c) {
        String name = c.getName().replace('.', '/') + ".class";
        try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path repository(String name, boolean withLib, boolean libSigned) {
        try {
            Path dir = Files.createDirectories(WORK.resolve(name));
            Map<String, String> ph = TestSigning.bundleHeaders(PLUGIN);
            ph.put("Bundle-Version", "1.1.0");
            ph.put("Bundle-Activator", GreetingPlugin.class.getName());
            ph.put("Import-Package", "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device,"
                    + LIB_PACKAGE + ";version=\"[1.0,2)\"");
            ph.put("Require-Capability", "osgi.ee;filter:=\"(&(osgi.ee=JavaSE)(version=17))\"");
            Path pluginUnsigned = TestSigning.writeJar(dir.resolve("plugin-unsigned.tmp"), ph,
                    Map.of(GreetingPlugin.class.getName().replace('.', '/') + ".class", classBytes(GreetingPlugin.class)));
            List<Path> jars = new ArrayList<>();
            jars.add(TestSigning.sign(pluginUnsigned, dir.resolve("plugin-1.1.0.jar"), SIGNER));
            Files.delete(pluginUnsigned);
            if (withLib) {
                jars.add(libJar(dir, libSigned, Map.of()));
            }
            for (boolean gzip : new boolean[] { false, true }) {
                new SimpleIndexer().files(jars.stream().map(Path::toFile).collect(Collectors.toList()))
                        .base(dir.toUri()).name(name).compress(gzip)
                        .index(dir.resolve(gzip ? "index.xml.gz" : "index.xml").toFile());
            }
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The library bundle, {@code lib-1.0.4.jar} in {@code dir}, with extra entries if given. */
    private static Path libJar(Path dir, boolean signed, Map<String, byte[]> extra) throws IOException {
        Map<String, String> lh = TestSigning.bundleHeaders(LIB);
        lh.put("Bundle-Version", "1.0.4");
        lh.put("Export-Package", LIB_PACKAGE + ";version=1.0.4");
        Map<String, byte[]> entries = new java.util.HashMap<>(extra);
        entries.put(Greeting.class.getName().replace('.', '/') + ".class", classBytes(Greeting.class));
        Path jar = dir.resolve("lib-1.0.4.jar");
        if (!signed) {
            return TestSigning.writeJar(jar, lh, entries);
        }
        Path unsigned = TestSigning.writeJar(dir.resolve("lib-unsigned.tmp"), lh, entries);
        TestSigning.sign(unsigned, jar, SIGNER);
        Files.delete(unsigned);
        return jar;
    }

    private static HttpServer serve(Path dir) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/repo/", ex -> {
                Path f = dir.resolve(ex.getRequestURI().getPath().substring("/repo/".length())).normalize();
                if (!f.startsWith(dir) || !Files.isRegularFile(f)) {
                    ex.sendResponseHeaders(404, -1);
                    ex.close();
                    return;
                }
                byte[] body = Files.readAllBytes(f);
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String httpIndex() {
        return "http://127.0.0.1:" + HTTP.getAddress().getPort() + "/repo/index.xml.gz";
    }

    private static Gogo gogo() throws Exception {
        RuntimeHarness.await("the installer configured with the test trust store and repository", 30, () -> {
            ServiceReference<?> r = RUNTIME.context().getServiceReference(
                    "io.autoweave.plugin.installer.PluginInstaller");
            return r != null && TRUST.toString().equals(r.getProperty("trust.store.path"));
        });
        RuntimeHarness.await("the aw:repos command", 30, () -> {
            try {
                return RUNTIME.context().getServiceReferences((String) null,
                        "(&(osgi.command.scope=aw)(osgi.command.function=repos))") != null;
            } catch (Exception e) {
                return false;
            }
        });
        return new Gogo(RUNTIME.context());
    }

    private static Bundle bundle(String bsn) {
        return Arrays.stream(RUNTIME.context().getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst()
                .orElse(null);
    }

    private static String refusal(Gogo g, String command) throws Exception {
        int before = RUNTIME.context().getBundles().length;
        try {
            Object out = g.run(command);
            fail(command + " installed: " + out);
            return null;
        } catch (Exception e) {
            assertEquals("io.autoweave.plugin.installer.PluginInstallException", e.getClass().getName());
            assertEquals(command + " leaves nothing installed", before, RUNTIME.context().getBundles().length);
            assertNull(bundle(PLUGIN));
            assertNull(bundle(LIB));
            String refusal = e.getClass().getMethod("code").invoke(e) + ": " + e.getMessage();
            System.out.println("refused as expected: " + command + "\n  -> " + refusal);
            return refusal;
        }
    }

    private static void removeBoth(Gogo g) throws Exception {
        for (String bsn : new String[] { PLUGIN, LIB }) {
            if (bundle(bsn) != null) {
                g.run("aw:uninstall " + bsn);
            }
        }
        assertNull(bundle(PLUGIN));
        assertNull(bundle(LIB));
    }

    /** The plugin runs wired to the library from the repository: its service carries the library's text. */
    private static void assertPluginRunsWithLibrary(String level) throws Exception {
        Bundle plugin = bundle(PLUGIN);
        Bundle lib = bundle(LIB);
        assertNotNull(plugin);
        assertNotNull(lib);
        assertEquals("plugin:" + level + "/" + PLUGIN, plugin.getLocation());
        assertEquals("plugin:" + level + "/" + LIB, lib.getLocation());
        assertEquals(Bundle.ACTIVE, plugin.getState());
        assertEquals(Bundle.ACTIVE, lib.getState());
        ServiceReference<?>[] services = plugin.getRegisteredServices();
        assertNotNull(services);
        assertEquals(Greeting.text(), services[0].getProperty("greeting"));
    }

    // ---- tests ---------------------------------------------------------------------------------------------------

    @Test
    public void reposListsTheConfiguredRepositoryAndWhatItHolds() throws Exception {
        try (Gogo g = gogo()) {
            String out = String.valueOf(g.run("aw:repos"));
            assertTrue(out, out.contains(GOOD.toString()) && out.contains("2 resources"));
            assertTrue(out, out.contains(PLUGIN) && out.contains("1.1.0") && out.contains(LIB)
                    && out.contains("1.0.4"));
            String remote = String.valueOf(g.run("aw:repos " + httpIndex()));
            assertTrue(remote, remote.contains("2 resources") && remote.contains("/repo/lib-1.0.4.jar"));
        }
    }

    @Test
    public void aPluginInstallsByNameFromADirectoryRepositoryWithTheLibraryItNeeds() throws Exception {
        try (Gogo g = gogo()) {
            String out = String.valueOf(g.run("aw:install obr:" + PLUGIN));
            try {
                assertTrue(out, out.startsWith("installed ") && out.contains("plugin:medium/" + PLUGIN));
                assertTrue(out, out.contains("with dependencies:") && out.contains("plugin:medium/" + LIB));
                assertPluginRunsWithLibrary("medium");
                String audit = String.valueOf(g.run("aw:audit decision=install-accepted"));
                assertTrue(audit, audit.contains(LIB) && audit.contains("as a dependency of " + PLUGIN));
                Object installer = RUNTIME.context().getService(RUNTIME.context().getServiceReference(
                        "io.autoweave.plugin.installer.PluginInstaller"));
                Map<?, ?> states = (Map<?, ?>) installer.getClass().getMethod("states").invoke(installer);
                assertEquals(states.toString(), "RUNNING", String.valueOf(states.get(PLUGIN)));
                assertEquals(states.toString(), "RUNNING", String.valueOf(states.get(LIB)));
                assertTrue("every candidate ends installed or rejected: " + states, states.values().stream()
                        .map(String::valueOf).noneMatch(v -> v.equals("DISCOVERED") || v.equals("VALIDATED")));
            } finally {
                removeBoth(g);
            }
        }
    }

    /**
     * The issue's own acceptance: a signed sample plugin (storage-watcher, {@code UsbPermission "class=08"}) from a
     * local index, running, and fed only the devices its permission allows (calls counted by the listener dispatcher).
     */
    @Test
    public void theSignedStorageWatcherSampleInstallsFromALocalIndexAndReceivesOnlyStorageDevices() throws Exception {
        String bsn = "io.autoweave.sample.storage.watcher";
        Path dir = Files.createDirectories(WORK.resolve("samples"));
        Path jar = TestSigning.sign(Path.of(System.getProperty("sample.storage-watcher")),
                dir.resolve("storage-watcher.jar"), SIGNER);
        new SimpleIndexer().files(List.of(jar.toFile())).base(dir.toUri()).name("samples")
                .index(dir.resolve("index.xml").toFile());
        Path replay = dir.resolve("devices.jsonl");
        Files.writeString(replay, "{\"action\":\"attach\",\"vendor_id\":\"046d\",\"product_id\":\"c31c\","
                + "\"port_path\":\"6-1\",\"interface_classes\":[3]}\n"
                + "{\"action\":\"attach\",\"vendor_id\":\"0781\",\"product_id\":\"5567\",\"serial\":\"OBR-1\","
                + "\"port_path\":\"6-2\",\"interface_classes\":[8]}\n");
        try (Gogo g = gogo()) {
            String out = String.valueOf(g.run("aw:install --level low --repo " + dir + " " + bsn));
            try {
                assertTrue(out, out.startsWith("installed ") && out.contains("plugin:low/" + bsn));
                Bundle b = bundle(bsn);
                assertEquals(Bundle.ACTIVE, b.getState());
                RuntimeHarness.await("its listener", 20,
                        () -> b.getRegisteredServices() != null && b.getRegisteredServices().length == 1);
                g.run("aw:replay " + replay);
                RuntimeHarness.await("the storage device delivered to it", 20, () -> callsOf(b.getBundleId()) == 1);
                Thread.sleep(1000);
                assertEquals("the keyboard was withheld: its permission is class=08 only", 1, callsOf(b.getBundleId()));
            } finally {
                if (bundle(bsn) != null) {
                    g.run("aw:uninstall " + bsn);
                }
            }
        }
    }

    @Test
    public void theRestApiInstallsByNameFromTheRepositoriesAndRefusesAnUnknownName() throws Exception {
        try (Gogo g = gogo()) {
            try {
                RuntimeHarness.Response created = RuntimeHarness.request("POST", RUNTIME.baseUrl() + "/api/v1/plugins",
                        "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + RuntimeHarness.ADMIN_PASSWORD)
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        "{\"name\":\"" + PLUGIN + ";version=[1,2)\",\"level\":\"medium\"}");
                assertEquals(created.body(), 201, created.status());
                assertTrue(created.body(), created.body().contains("\"symbolic_name\":\"" + PLUGIN + "\"")
                        || created.body().contains(PLUGIN));
                assertPluginRunsWithLibrary("medium");
            } finally {
                removeBoth(g);
            }
            RuntimeHarness.Response unknown = RuntimeHarness.request("POST", RUNTIME.baseUrl() + "/api/v1/plugins",
                    "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + RuntimeHarness.ADMIN_PASSWORD)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)), "{\"name\":\"no.such.plugin\"}");
            assertEquals(unknown.body(), 422, unknown.status());
            assertTrue(unknown.body(), unknown.body().contains("UNKNOWN_PLUGIN"));
        }
    }

    /** Listener calls the pipeline made into {@code bundleId}, from the PluginWorkers service (reflectively). */
    private static long callsOf(long bundleId) {
        try {
            ServiceReference<?> ref = RUNTIME.context().getAllServiceReferences(
                    "io.autoweave.api.plugin.PluginWorkers", null)[0];
            Object workers = RUNTIME.context().getService(ref);
            try {
                for (Object f : (List<?>) workers.getClass().getMethod("figures").invoke(workers)) {
                    if ((Long) f.getClass().getMethod("bundleId").invoke(f) == bundleId) {
                        return (Long) f.getClass().getMethod("calls").invoke(f);
                    }
                }
                return 0;
            } finally {
                RUNTIME.context().ungetService(ref);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void aPluginInstallsFromALoopbackHttpRepositoryWithAVersionRange() throws Exception {
        try (Gogo g = gogo()) {
            String out = String.valueOf(g.run("aw:install --level low --repo " + httpIndex() + " '" + PLUGIN
                    + ";version=[1.1,2)'"));
            try {
                assertTrue(out, out.contains("plugin:low/" + PLUGIN) && out.contains("plugin:low/" + LIB));
                assertPluginRunsWithLibrary("low");
            } finally {
                removeBoth(g);
            }
            String none = refusal(g, "aw:install --repo " + httpIndex() + " '" + PLUGIN + ";version=[2,3)'");
            assertTrue(none, none.startsWith("UNKNOWN_PLUGIN") && none.contains("there is 1.1.0"));
        }
    }

    @Test
    public void anUnsignedDependencyRefusesTheWholeInstallAndNothingStays() throws Exception {
        try (Gogo g = gogo()) {
            String r = refusal(g, "aw:install --repo " + UNSIGNED_DEP + " " + PLUGIN);
            Object installer = RUNTIME.context().getService(RUNTIME.context().getServiceReference(
                    "io.autoweave.plugin.installer.PluginInstaller"));
            Map<?, ?> states = (Map<?, ?>) installer.getClass().getMethod("states").invoke(installer);
            assertEquals(states.toString(), List.of("REJECTED"), states.entrySet().stream()
                    .filter(e -> String.valueOf(e.getKey()).endsWith("unsigned-dep/lib-1.0.4.jar"))
                    .map(e -> String.valueOf(e.getValue())).collect(Collectors.toList()));
            assertTrue(r, r.startsWith("UNSIGNED: " + LIB + ";version=1.0.4 (a dependency of " + PLUGIN + ")"));
            assertTrue(r, r.contains("nothing of " + PLUGIN + " was installed"));
            String audit = String.valueOf(g.run("aw:audit decision=install-refused"));
            assertTrue(audit, audit.contains("install-gate:UNSIGNED"));
            // and the good repository still works afterwards
            g.run("aw:install obr:" + PLUGIN);
            try {
                assertPluginRunsWithLibrary("medium");
            } finally {
                removeBoth(g);
            }
        }
    }

    @Test
    public void unknownNamesUnresolvableRequirementsAndBrokenIndexesAreRefusedWithTheReason() throws Exception {
        try (Gogo g = gogo()) {
            String unknown = refusal(g, "aw:install obr:com.example.nothing");
            assertTrue(unknown, unknown.startsWith("UNKNOWN_PLUGIN: no resource named com.example.nothing"));

            String missing = refusal(g, "aw:install --repo " + NO_LIB + " " + PLUGIN);
            assertTrue(missing, missing.startsWith("UNRESOLVABLE: cannot install " + PLUGIN + ": " + PLUGIN
                    + " 1.1.0 requires osgi.wiring.package"));
            assertTrue(missing, missing.contains("(osgi.wiring.package=" + LIB_PACKAGE + ")"));

            Path broken = Files.createDirectories(WORK.resolve("broken"));
            Files.writeString(broken.resolve("index.xml"), "<?xml version='1.0'?>\n"
                    + "<repository xmlns='http://www.osgi.org/xmlns/repository/v1.0.0'>\n"
                    + "  <resource>\n    <capability>\n    </capability>\n  </resource>\n</repository>\n");
            String bad = refusal(g, "aw:install --repo " + broken + " " + PLUGIN);
            assertTrue(bad, bad.startsWith("BAD_INDEX: index " + broken.resolve("index.xml").toUri() + " line 4"));
            assertTrue(bad, bad.contains("<capability> has no 'namespace' attribute"));
            String listed = String.valueOf(g.run("aw:repos " + broken + " " + GOOD));
            assertTrue(listed, listed.contains(broken + "  UNREADABLE BAD_INDEX: index ") && listed.contains("2 resources"));

            // the index says one thing, the server has another (validly signed) jar: refused before anything installs
            Path stale = Files.createDirectories(WORK.resolve("stale"));
            for (String f : new String[] { "index.xml", "plugin-1.1.0.jar" }) {
                Files.copy(GOOD.resolve(f), stale.resolve(f));
            }
            libJar(stale, true, Map.of("extra.txt", new byte[] { 1 }));
            String mismatch = refusal(g, "aw:install --repo " + stale + " " + PLUGIN);
            assertTrue(mismatch, mismatch.startsWith("CONTENT_MISMATCH: " + LIB + ";version=1.0.4 (a dependency of "
                    + PLUGIN + "): ") && mismatch.contains("but the index"));
        }
    }
}
