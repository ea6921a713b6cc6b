package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

import io.autoweave.itests.probe.IsolatedProbeActivator;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * Plugins installed in isolated mode through the installer (issue 17: "same plugin API and same gate"): the same
 * signed jar and the same signature gate as in process, then a plugin host of its own. Listed by REST and
 * {@code aw:plugins} with {@code mode: isolated}; start, stop, block, unblock and uninstall act on the host; an
 * unsigned jar and a plugin whose start kills its JVM leave nothing installed. The sample HID logger (Declarative
 * Services and SLF4J, unchanged) runs isolated and logs what the runtime lets it see.
 */
public class IsolatedInstallIT {
    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-isolated-install-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave ITest Isolated CA");
    private static final TestSigning.Credentials SIGNER = TestSigning.issue(CA, "ITest Isolated Signer");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("truststore.p12"), PASSWORD.toCharArray(),
            CA.certificate());
    private static final String HID_BSN = "io.autoweave.sample.hid.logger";
    private static final Path HID = TestSigning.sign(Path.of(System.getProperty("sample.hid-logger")),
            WORK.resolve("hid-logger.jar"), SIGNER);

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.ssh.cfg", "enabled = false\n") // not under test (see IsolatedPluginIT)
            .config("io.autoweave.plugin.installer.cfg", "trust.store.path=" + TRUST + "\n.trust.store.password="
                    + PASSWORD + "\n");

    private static Gogo gogo;

    @BeforeClass
    public static void shell() throws Exception {
        Assume.assumeTrue("bubblewrap is needed (apt-get install bubblewrap)", Files.isExecutable(Path.of(
                "/usr/bin/bwrap")));
        RuntimeHarness.await("the installer configured with the test trust store", 30, () -> {
            org.osgi.framework.ServiceReference<?> r = RUNTIME.context().getServiceReference(
                    "io.autoweave.plugin.installer.PluginInstaller");
            return r != null && TRUST.toString().equals(r.getProperty("trust.store.path"));
        });
        gogo = new Gogo(RUNTIME.context());
    }

    @AfterClass
    public static void closeShell() throws Exception {
        if (gogo != null) {
            gogo.close();
        }
    }

    private static Path probe(String behaviour, boolean signed) throws IOException {
        byte[] jar = RuntimeHarness.bundle("itest.isolated." + behaviour, new String[][] {
                { "Import-Package", "org.osgi.framework,io.autoweave.api.device" },
                { "Bundle-Activator", IsolatedProbeActivator.class.getName() } }, IsolatedProbeActivator.class);
        Path unsigned = WORK.resolve("itest.isolated." + behaviour + "-unsigned.jar");
        Files.write(unsigned, jar);
        return signed ? TestSigning.sign(unsigned, WORK.resolve("itest.isolated." + behaviour + ".jar"), SIGNER)
                : unsigned;
    }

    static RuntimeHarness.Response call(String method, String path, String contentType, byte[] body)
            throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(RUNTIME.baseUrl() + path).openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(5000);
        c.setReadTimeout(120_000);
        c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(("admin:"
                + RuntimeHarness.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", contentType);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new RuntimeHarness.Response(status, in == null ? "" : new String(in.readAllBytes(),
                StandardCharsets.UTF_8));
    }

    private static RuntimeHarness.Response upload(Path jar, String query) throws IOException {
        return call("POST", "/api/v1/plugins" + query, "application/java-archive", Files.readAllBytes(jar));
    }

    private static String isolatedRow(String bsn) throws Exception {
        @SuppressWarnings("unchecked")
        List<String> rows = (List<String>) gogo.run("aw:isolated");
        return rows.stream().filter(r -> r.startsWith(bsn + " ")).findFirst().orElse("none");
    }

    /** Waits until {@code aw:isolated}'s row of {@code bsn} contains {@code part}. */
    private static void awaitRow(String what, String bsn, String part, long seconds) throws InterruptedException {
        RuntimeHarness.await(what, seconds, () -> {
            try {
                return isolatedRow(bsn).contains(part);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static String plugin(String bsn) throws IOException {
        RuntimeHarness.Response r = call("GET", "/api/v1/plugins/" + bsn, null, null);
        return r.status() + " " + r.body();
    }

    @Test
    public void aSignedPluginInstalledIsolatedRunsInItsOwnHostAndIsOperatedLikeAnyPlugin() throws Exception {
        Path polite = probe("polite", true);
        RuntimeHarness.Response r = upload(polite, "?level=high&mode=isolated");
        System.out.println("[itest] isolated install: " + r.status() + " " + r.body());
        assertEquals(r.body(), 201, r.status());
        assertTrue(r.body(), r.body().contains("\"mode\":\"isolated\"") && r.body().contains("\"state\":\"RUNNING\"")
                && r.body().contains("\"bundle_id\":null") && r.body().contains("ITest Isolated Signer")
                && r.body().contains("\"location\":\"isolated:high/itest.isolated.polite\""));
        assertTrue(isolatedRow("itest.isolated.polite"), isolatedRow("itest.isolated.polite").contains(" RUNNING ")
                && isolatedRow("itest.isolated.polite").contains("installed signed-by="));
        // no bundle of that name in the runtime's framework: it runs in the host only
        for (org.osgi.framework.Bundle b : RUNTIME.context().getBundles()) {
            assertFalse(b.getLocation(), "itest.isolated.polite".equals(b.getSymbolicName()));
        }
        String list = call("GET", "/api/v1/plugins", null, null).body();
        assertTrue(list, list.contains("\"symbolic_name\":\"itest.isolated.polite\""));
        String table = String.valueOf(gogo.run("aw:plugins"));
        assertTrue(table, table.contains("itest.isolated.polite") && table.contains("isolated"));

        // events reach it through the channel
        gogo.run("aw:simulate attach 1d50:6089 ISO-INSTALLED 8-1");
        RuntimeHarness.await("the isolated plugin's line in the runtime log", 30,
                () -> RUNTIME.logText().contains("isolated got ISO-INSTALLED"));

        // one plugin of a name: again isolated, or in process, is a duplicate
        RuntimeHarness.Response again = upload(polite, "?level=high&mode=isolated");
        assertEquals(again.body(), 409, again.status());
        assertTrue(again.body(), again.body().contains("DUPLICATE"));
        RuntimeHarness.Response inProcess = upload(polite, "?level=high&mode=in-process");
        assertEquals(inProcess.body(), 409, inProcess.status());
        assertTrue(inProcess.body(), inProcess.body().contains("runs isolated already"));

        // stop and start: the host goes and comes back
        RuntimeHarness.Response stop = call("POST", "/api/v1/plugins/itest.isolated.polite/stop", null, null);
        assertEquals(stop.body(), 200, stop.status());
        assertTrue(plugin("itest.isolated.polite"), plugin("itest.isolated.polite").contains("\"state\":\"STOPPED\""));
        RuntimeHarness.Response start = call("POST", "/api/v1/plugins/itest.isolated.polite/start", null, null);
        assertEquals(start.body(), 200, start.status());
        assertTrue(plugin("itest.isolated.polite"), plugin("itest.isolated.polite").contains("\"state\":\"RUNNING\""));

        // block: the host is killed and stays down; unblock: a new host
        RuntimeHarness.Response block = call("POST", "/api/v1/plugins/itest.isolated.polite/block", "application/json",
                "{\"reason\":\"itest\"}".getBytes(StandardCharsets.UTF_8));
        assertEquals(block.body(), 200, block.status());
        awaitRow("the blocked host down", "itest.isolated.polite", " BLOCKED", 20);
        assertTrue(plugin("itest.isolated.polite"), plugin("itest.isolated.polite").contains("\"state\":\"BLOCKED\""));
        RuntimeHarness.Response unblock = call("POST", "/api/v1/plugins/itest.isolated.polite/unblock", null, null);
        assertEquals(unblock.body(), 200, unblock.status());
        awaitRow("a new host after the unblock", "itest.isolated.polite", " RUNNING ", 60);
        gogo.run("aw:simulate detach 1d50:6089 ISO-INSTALLED 8-1");
        RuntimeHarness.await("the new host gets events", 30,
                () -> RUNTIME.logText().lines().filter(l -> l.contains("isolated got ISO-INSTALLED")).count() >= 2);

        // lockdown stops every host; lifting it starts them again
        gogo.run("aw:lockdown on");
        awaitRow("the host stopped by the lockdown", "itest.isolated.polite", " STOPPED: the system is locked down",
                20);
        gogo.run("aw:lockdown off");
        awaitRow("the host back after the lockdown", "itest.isolated.polite", " RUNNING ", 60);

        // uninstall: host, configuration, kept jar and its data gone
        RuntimeHarness.Response gone = call("DELETE", "/api/v1/plugins/itest.isolated.polite", null, null);
        assertEquals(gone.body(), 200, gone.status());
        assertEquals("none", isolatedRow("itest.isolated.polite"));
        assertTrue(plugin("itest.isolated.polite"), plugin("itest.isolated.polite").startsWith("404 "));
        assertFalse(Files.exists(RUNTIME.dataDir().resolve("plugins/isolated/itest.isolated.polite.jar")));
        try (java.util.stream.Stream<Path> hosts = Files.walk(RUNTIME.dataDir())) {
            assertFalse("the host's working directory is gone", hosts.anyMatch(p -> p.endsWith(
                    "hosts/itest.isolated.polite")));
        }
        String audit = String.valueOf(gogo.run("aw:audit subject=itest.isolated.polite"));
        assertTrue(audit, audit.contains("install-accepted") && audit.contains("host-ready")
                && audit.contains("blocked") && audit.contains("uninstalled"));
    }

    @Test
    public void theSameGateRefusesAnUnsignedJarAndAPluginWhoseStartEndsItsJvmLeavesNothing() throws Exception {
        RuntimeHarness.Response unsigned = upload(probe("unsigned", false), "?level=high&mode=isolated");
        assertEquals(unsigned.body(), 422, unsigned.status());
        assertTrue(unsigned.body(), unsigned.body().contains("UNSIGNED"));
        assertEquals("none", isolatedRow("itest.isolated.unsigned"));

        RuntimeHarness.Response exit = upload(probe("exit", true), "?level=high&mode=isolated");
        System.out.println("[itest] isolated install of a plugin that exits: " + exit.status() + " " + exit.body());
        assertEquals(exit.body(), 409, exit.status());
        assertTrue(exit.body(), exit.body().contains("START_FAILED") && exit.body().contains("exited with 5"));
        assertEquals("none", isolatedRow("itest.isolated.exit"));
        assertTrue(plugin("itest.isolated.exit"), plugin("itest.isolated.exit").startsWith("404 "));
        assertEquals(200, RUNTIME.get("/health/ready", null, null).status());

        RuntimeHarness.Response badMode = upload(probe("polite2", true), "?level=high&mode=sideways");
        assertEquals(badMode.body(), 400, badMode.status());
        assertTrue(badMode.body(), badMode.body().contains("in-process, isolated"));
    }

    @Test
    public void theSampleHidLoggerWithDeclarativeServicesAndSlf4jRunsIsolatedUnchanged() throws Exception {
        String out = String.valueOf(gogo.run("aw:install --mode isolated --level medium " + HID));
        System.out.println("[itest] " + out);
        assertTrue(out, out.contains("RUNNING") && out.contains("isolated:medium/" + HID_BSN));
        Path replay = WORK.resolve("hid.jsonl");
        Files.writeString(replay, "{\"action\":\"attach\",\"vendor_id\":\"046d\",\"product_id\":\"c31c\","
                + "\"serial\":\"ISO-HID\",\"manufacturer\":\"Logitech\",\"product\":\"Keyboard\",\"port_path\":\"8-2\","
                + "\"interface_classes\":[3]}\n"
                + "{\"action\":\"attach\",\"vendor_id\":\"0781\",\"product_id\":\"5567\",\"serial\":\"ISO-STICK\","
                + "\"manufacturer\":\"SanDisk\",\"product\":\"Cruzer\",\"port_path\":\"8-3\",\"interface_classes\":[8]}\n");
        gogo.run("aw:replay " + replay);
        // its own permissions.perm narrows every level's grant to HID: the stick never leaves the runtime
        RuntimeHarness.await("the HID logger's line, forwarded from its host", 30,
                () -> RUNTIME.logText().contains("046d:c31c Logitech Keyboard at 8-2"));
        String line = RUNTIME.logText().lines().filter(l -> l.contains("046d:c31c Logitech Keyboard")).findFirst().orElseThrow();
        System.out.println("[itest] " + line);
        assertTrue(line, line.contains("[" + HID_BSN + " out]"));
        awaitRow("the stick withheld", HID_BSN, " withheld=1 ", 20);
        assertFalse(RUNTIME.logText(), RUNTIME.logText().contains("0781:5567 SanDisk"));
        assertTrue(String.valueOf(gogo.run("aw:uninstall " + HID_BSN)).contains(HID_BSN));
    }
}
