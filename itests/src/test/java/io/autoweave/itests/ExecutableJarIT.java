package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

import io.autoweave.itests.probe.HostileProbe;
import io.autoweave.plugin.installer.testing.TestSigning;

/** The executable jar as an operator runs it: {@code java -jar autoweave.jar}, a real process, real signals. */
public class ExecutableJarIT {

    private static final Pattern PASSWORD = Pattern.compile("password: (\\S+)");
    private static final Pattern READY = Pattern.compile("AutoWeave ready in (\\d+) ms");

    private Path data;
    private final List<Process> processes = new ArrayList<>();

    @Before
    public void setUp() throws IOException {
        data = Files.createTempDirectory("autoweave-jar-it");
    }

    @After
    public void tearDown() throws IOException {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        RuntimeHarness.deleteTree(data);
    }

    /** A started runtime process with its output collected line by line. */
    final class Run {
        final Process process;
        final ProcessOutput output;
        final int port;

        Run(String java, int port) throws IOException {
            this.port = port;
            ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar(), "--data", data.toString(), "--http-port",
                    Integer.toString(port)).redirectErrorStream(true);
            pb.environment().remove("AUTOWEAVE_ADMIN_PASSWORD");
            process = pb.start();
            processes.add(process);
            output = ProcessOutput.collect(process);
        }

        String text() {
            return output.text();
        }

        String find(Pattern p) {
            Matcher m = p.matcher(text());
            return m.find() ? m.group(1) : null;
        }

        void awaitReady() throws InterruptedException {
            RuntimeHarness.await("the ready line; output so far:\n" + text(), 120,
                    () -> text().contains("AutoWeave ready") || !process.isAlive());
            assertTrue("process died before ready:\n" + text(), process.isAlive());
        }

        /** SIGTERM, as systemd or Ctrl-C would; returns the exit code. */
        int terminate() throws InterruptedException {
            // ProcessHandle.destroy sends SIGTERM without closing our end of the pipe (Process.destroy closes it)
            process.toHandle().destroy();
            assertTrue("did not stop within 30 s of SIGTERM:\n" + text(), process.waitFor(30, TimeUnit.SECONDS));
            output.awaitEnd(10_000);
            return process.exitValue();
        }
    }

    static String jar() {
        String jar = System.getProperty("autoweave.jar");
        assertNotNull("system property autoweave.jar (set by the itests pom)", jar);
        assertTrue("runtime jar missing: " + jar + " (run mvn install)", Files.isRegularFile(Path.of(jar)));
        return jar;
    }

    static String java17() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    public void startsToReadyShowsThePasswordOnceAndStopsCleanlyOnSigterm() throws Exception {
        Run first = new Run(java17(), RuntimeHarness.freePort());
        first.awaitReady();
        String coldStartMs = first.find(READY);
        System.out.println("cold start to ready (first start, empty data dir): " + coldStartMs + " ms");
        String password = first.find(PASSWORD);
        assertNotNull("a generated password is shown at first start:\n" + first.text(), password);
        assertTrue("SLF4J logging reaches the logging system (Jetty logs through it):\n" + first.text(),
                first.text().contains("INFO  [FelixStartLevel] org.apache.felix.http - Started Jetty"));
        assertFalse("no JDK deprecation warning at start:\n" + first.text(), first.text().contains("WARNING:"));
        assertTrue("the log file in DATA/log", Files.readString(data.resolve("log/autoweave.log"))
                .contains("org.apache.felix.http - Started Jetty"));
        String base = "http://127.0.0.1:" + first.port;
        assertEquals(200, RuntimeHarness.http(base + "/health/ready", null, null).status());
        assertEquals(401, RuntimeHarness.http(base + "/system/console/bundles", null, null).status());
        assertEquals(401, RuntimeHarness.http(base + "/system/console/bundles", "admin", "admin").status());
        assertEquals(200, RuntimeHarness.http(base + "/system/console/bundles", "admin", password).status());
        String stored = Files.readString(data.resolve("security/admin.hash"));
        assertFalse("only a hash is stored", stored.contains(password));
        assertTrue(stored.startsWith("pbkdf2-sha256$"));

        int exit = first.terminate();
        assertEquals("JVM exit status after SIGTERM with a clean shutdown is 128+15", 143, exit);
        assertTrue(first.text(), first.text().contains("stopped cleanly"));
        assertFalse("no stack trace at shutdown:\n" + first.text(), first.text().contains("\tat "));

        Run second = new Run(java17(), RuntimeHarness.freePort());
        second.awaitReady();
        System.out.println("warm start to ready (bundle cache kept): " + second.find(READY) + " ms");
        assertEquals("the password is shown only once", null, second.find(PASSWORD));
        assertEquals(200, RuntimeHarness.http("http://127.0.0.1:" + second.port + "/system/console/bundles", "admin",
                password).status());
        assertEquals(143, second.terminate());
    }

    /** The state of the bundle with this symbolic name as the Web Console reports it, or null when there is none. */
    private static String consoleState(int port, String password, String bsn) throws IOException {
        String json = RuntimeHarness.http("http://127.0.0.1:" + port + "/system/console/bundles.json", "admin",
                password).body();
        Matcher m = Pattern.compile("\\{[^{}]*\"symbolicName\":\"" + Pattern.quote(bsn) + "\"[^{}]*\\}").matcher(json);
        if (!m.find()) {
            return null;
        }
        Matcher state = Pattern.compile("\"state\":\"([A-Za-z]+)\"").matcher(m.group());
        return state.find() ? state.group(1) : "?";
    }

    private List<String> auditLines(String decision, String subject) throws IOException {
        Path audit = data.resolve("security/audit.jsonl");
        if (!Files.exists(audit)) {
            return List.of();
        }
        return Files.readAllLines(audit).stream().filter(l -> l.contains("\"decision\":\"" + decision + "\""))
                .filter(l -> l.contains("\"subject\":\"" + subject + "\"")).collect(java.util.stream.Collectors.toList());
    }

    /**
     * A plugin blocked by the security monitor stays blocked across a restart of the real process: the hostile probe,
     * signed by a test CA the data directory trusts, is dropped into the plugins folder, tries to install a bundle
     * (AdminPermission, a critical violation at medium) and is blocked; after SIGTERM and a new {@code java -jar} on
     * the same data directory it is still blocked and not started, and the audit log still has the decisions.
     */
    @Test
    public void aBlockedPluginStaysBlockedAndAuditedAcrossARestartOfTheProcess() throws Exception {
        String bsn = "itest.hostile.restart";
        TestSigning.Credentials ca = trustedCa("AutoWeave Restart ITest CA");
        Files.writeString(data.resolve("etc/io.autoweave.plugin.dropfolder.cfg"), "poll.millis=200\n");
        Map<String, String> headers = TestSigning.bundleHeaders(bsn);
        headers.put("Bundle-Activator", HostileProbe.class.getName());
        headers.put("Import-Package", "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device");
        String cls = HostileProbe.class.getName().replace('.', '/') + ".class";
        byte[] code;
        try (InputStream in = HostileProbe.class.getClassLoader().getResourceAsStream(cls)) {
            code = in.readAllBytes();
        }
        Path work = Files.createTempDirectory("autoweave-restart-it");
        Path probe = TestSigning.sign(TestSigning.writeJar(work.resolve("unsigned.jar"), headers, Map.of(cls, code)),
                work.resolve("hostile.jar"), TestSigning.issue(ca, "Restart ITest Signer"));

        Run first = new Run(java17(), RuntimeHarness.freePort());
        first.awaitReady();
        String password = first.find(PASSWORD);
        assertNotNull(first.text(), password);
        Files.createDirectories(data.resolve("plugins-drop"));
        Files.copy(probe, data.resolve("plugins-drop/hostile.jar"));
        RuntimeHarness.await("the dropped hostile plugin blocked and audited; output:\n" + first.text(), 60,
                () -> call(() -> !auditLines("blocked", bsn).isEmpty()));
        RuntimeHarness.await(bsn + " stopped by the block", 20,
                () -> call(() -> !"Active".equals(consoleState(first.port, password, bsn))));
        assertTrue(Files.readString(data.resolve("security/blocked.properties")).contains(bsn));
        assertEquals(1, auditLines("install-accepted", bsn).size());
        assertEquals(143, first.terminate());

        Run second = new Run(java17(), RuntimeHarness.freePort());
        second.awaitReady();
        assertTrue(second.text(), second.text().contains("security monitor active: 1 blocked plugin(s)"));
        String state = consoleState(second.port, password, bsn);
        assertNotNull("the blocked plugin is still installed after the restart", state);
        assertTrue("a blocked plugin does not start after a restart: " + state, !"Active".equals(state));
        Thread.sleep(1000); // a late start (start level 8, the drop folder's first scan) would show now
        assertTrue(!"Active".equals(consoleState(second.port, password, bsn)));
        assertEquals("the block decision is still in the audit log", 1, auditLines("blocked", bsn).size());
        assertEquals(1, auditLines("install-accepted", bsn).size());
        assertTrue(auditLines("denied", bsn).size() >= 1);
        assertEquals(143, second.terminate());
        RuntimeHarness.deleteTree(work);
    }

    /** A new CA that the data directory's plugin trust store (and the installer's configuration) trusts. */
    private TestSigning.Credentials trustedCa(String name) throws IOException {
        char[] trustPassword = "itest-trust-pw".toCharArray();
        TestSigning.Credentials ca = TestSigning.newCa(name);
        Files.createDirectories(data.resolve("security"));
        Files.createDirectories(data.resolve("etc"));
        TestSigning.trustStore(data.resolve("security/plugins-truststore.p12"), trustPassword, ca.certificate());
        Files.writeString(data.resolve("etc/io.autoweave.plugin.installer.cfg"),
                ".trust.store.password=" + new String(trustPassword) + "\n");
        return ca;
    }

    /** One HTTP POST to the runtime process. */
    static RuntimeHarness.Response post(int port, String path, String authorization, String contentType, byte[] body)
            throws IOException {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL("http://127.0.0.1:" + port + path)
                .openConnection();
        c.setRequestMethod("POST");
        c.setConnectTimeout(5000);
        c.setReadTimeout(120_000);
        c.setRequestProperty("Authorization", authorization);
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", contentType);
        try (java.io.OutputStream out = c.getOutputStream()) {
            out.write(body);
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new RuntimeHarness.Response(status, in == null ? "" : new String(in.readAllBytes(),
                StandardCharsets.UTF_8));
    }

    private interface Check {
        boolean get() throws Exception;
    }

    private static boolean call(Check c) {
        try {
            return c.get();
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Issue 17: on a Java without the SecurityManager (Temurin 25 here) the runtime starts with framework security off
     * and runs every plugin isolated: a signed plugin installed through REST (no mode given) gets a plugin host of its
     * own and the runtime's events; asking for in-process is refused with what to do; an unsigned jar meets the same
     * gate.
     */
    @Test
    public void onAJavaWithoutSecurityManagerEveryPluginRunsIsolated() throws Exception {
        Path newer;
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/jvm"))) {
            newer = s.filter(p -> p.getFileName().toString().matches(".*-(2[4-9]|[3-9]\\d)(-.*|$)"))
                    .filter(p -> Files.isExecutable(p.resolve("bin/java"))).findFirst().orElse(null);
        }
        Assume.assumeTrue("no JDK 24+ installed under /usr/lib/jvm", newer != null);
        Assume.assumeTrue("bubblewrap is needed (apt-get install bubblewrap)", Files.isExecutable(Path.of(
                "/usr/bin/bwrap")));
        TestSigning.Credentials ca = trustedCa("AutoWeave JDK 25 ITest CA");
        int sshPort = RuntimeHarness.freePort();
        Files.writeString(data.resolve("etc/io.autoweave.ssh.cfg"), "port=" + sshPort + "\n");
        Path work = Files.createTempDirectory("autoweave-jdk25-it");
        String bsn = "itest.isolated.polite";
        Map<String, String> headers = TestSigning.bundleHeaders(bsn);
        headers.put("Bundle-Activator", io.autoweave.itests.probe.IsolatedProbeActivator.class.getName());
        headers.put("Import-Package", "org.osgi.framework,io.autoweave.api.device");
        String cls = io.autoweave.itests.probe.IsolatedProbeActivator.class.getName().replace('.', '/') + ".class";
        byte[] code;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(cls)) {
            code = in.readAllBytes();
        }
        Path unsigned = TestSigning.writeJar(work.resolve("unsigned.jar"), headers, Map.of(cls, code));
        TestSigning.Credentials signer = TestSigning.issue(ca, "JDK 25 Signer");
        Path polite = TestSigning.sign(unsigned, work.resolve("polite.jar"), signer);
        // a second plugin for the drop folder, which installs in the default mode: isolated on this Java
        Map<String, String> dropHeaders = TestSigning.bundleHeaders("itest.isolated.dropped");
        dropHeaders.put("Bundle-Activator", io.autoweave.itests.probe.IsolatedProbeActivator.class.getName());
        dropHeaders.put("Import-Package", "org.osgi.framework,io.autoweave.api.device");
        Path dropped = TestSigning.sign(TestSigning.writeJar(work.resolve("dropped-unsigned.jar"), dropHeaders,
                Map.of(cls, code)), work.resolve("dropped.jar"), signer);
        Files.writeString(data.resolve("etc/io.autoweave.plugin.dropfolder.cfg"), "poll.millis=200\n");

        // first on Java 17: a plugin installed in process, left in the bundle cache
        Map<String, String> inprocHeaders = TestSigning.bundleHeaders("itest.isolated.inproc");
        inprocHeaders.put("Bundle-Activator", io.autoweave.itests.probe.IsolatedProbeActivator.class.getName());
        inprocHeaders.put("Import-Package", "org.osgi.framework,io.autoweave.api.device");
        Path inproc = TestSigning.sign(TestSigning.writeJar(work.resolve("inproc-unsigned.jar"), inprocHeaders,
                Map.of(cls, code)), work.resolve("inproc.jar"), signer);
        Run on17 = new Run(java17(), RuntimeHarness.freePort());
        on17.awaitReady();
        String password = on17.find(PASSWORD);
        assertNotNull(on17.text(), password);
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + password)
                .getBytes(StandardCharsets.UTF_8));
        RuntimeHarness.Response in17 = post(on17.port, "/api/v1/plugins?level=high&mode=in-process", auth,
                "application/java-archive", Files.readAllBytes(inproc));
        assertEquals(in17.body(), 201, in17.status());
        assertEquals(143, on17.terminate());

        Run run = new Run(newer.resolve("bin/java").toString(), RuntimeHarness.freePort());
        run.awaitReady();
        assertTrue(run.text(), run.text().contains("security off: Java ") && run.text().contains("every plugin runs "
                + "isolated"));
        RuntimeHarness.Response security = RuntimeHarness.http("http://127.0.0.1:" + run.port + "/api/v1/security",
                "admin", password);
        assertTrue(security.body(), security.body().contains("\"framework_security\":false")
                && security.body().contains("\"plugin_modes\":[\"isolated\"]"));
        // the in-process plugin of the Java 17 run never resolves here: nothing would confine it
        RuntimeHarness.await("the in-process plugin refused, audited", 30,
                () -> call(() -> !auditLines("start-refused", "itest.isolated.inproc").isEmpty()));
        assertTrue(auditLines("start-refused", "itest.isolated.inproc").toString(),
                auditLines("start-refused", "itest.isolated.inproc").toString().contains("no-security-manager"));
        RuntimeHarness.Response inprocState = RuntimeHarness.http("http://127.0.0.1:" + run.port
                + "/api/v1/plugins/itest.isolated.inproc", "admin", password);
        assertEquals(inprocState.body(), 200, inprocState.status());
        assertFalse(inprocState.body(), inprocState.body().contains("\"state\":\"RUNNING\""));

        RuntimeHarness.Response inProcess = post(run.port, "/api/v1/plugins?level=high&mode=in-process",
                auth, "application/java-archive", Files.readAllBytes(polite));
        assertEquals(inProcess.body(), 409, inProcess.status());
        assertTrue(inProcess.body(), inProcess.body().contains("IN_PROCESS_UNAVAILABLE"));
        RuntimeHarness.Response refused = post(run.port, "/api/v1/plugins?level=high", auth,
                "application/java-archive", Files.readAllBytes(unsigned));
        assertEquals(refused.body(), 422, refused.status());
        assertTrue(refused.body(), refused.body().contains("UNSIGNED"));

        RuntimeHarness.Response installed = post(run.port, "/api/v1/plugins?level=high", auth,
                "application/java-archive", Files.readAllBytes(polite));
        System.out.println("[itest] JDK " + newer.getFileName() + " install: " + installed.status() + " "
                + installed.body());
        assertEquals(installed.body(), 201, installed.status());
        assertTrue(installed.body(), installed.body().contains("\"mode\":\"isolated\"")
                && installed.body().contains("\"state\":\"RUNNING\""));
        Files.createDirectories(data.resolve("plugins-drop"));
        Files.copy(dropped, data.resolve("plugins-drop/dropped.jar"));
        RuntimeHarness.await("the dropped plugin's host ready; output:\n" + run.text(), 60,
                () -> run.text().contains("itest.isolated.dropped: host-ready"));
        try (SshClients ssh = new SshClients();
                org.apache.sshd.client.session.ClientSession s = ssh.password(sshPort, password)) {
            String plugins = SshClients.exec(s, "aw:plugins").out();
            assertTrue(plugins, plugins.contains("isolated:medium/itest.isolated.dropped"));
            SshClients.Result sim = SshClients.exec(s, "aw:simulate attach 046d:c52b JDK25-EVENT 7-1");
            assertEquals(sim.err(), Integer.valueOf(0), sim.status());
        }
        RuntimeHarness.await("the isolated plugin's line; output:\n" + run.text(), 30,
                () -> run.text().contains("isolated got JDK25-EVENT"));
        String line = run.text().lines().filter(l -> l.contains("isolated got JDK25-EVENT")).findFirst().orElseThrow();
        System.out.println("[itest] " + line);
        assertTrue(line, line.contains("SecurityManager none"));
        assertEquals(143, run.terminate());
        assertFalse("a clean start and stop, no stack trace:\n" + run.text(), run.text().contains("\tat "));

        // after a restart the isolated plugin runs again, from Configuration Admin's store and the kept jar
        Run again = new Run(newer.resolve("bin/java").toString(), RuntimeHarness.freePort());
        again.awaitReady();
        RuntimeHarness.await("the host ready again; output:\n" + again.text(), 60,
                () -> again.text().contains(bsn + ": host-ready"));
        try (SshClients ssh = new SshClients();
                org.apache.sshd.client.session.ClientSession s = ssh.password(sshPort, password)) {
            String plugins = SshClients.exec(s, "aw:plugins").out();
            assertTrue(plugins, plugins.contains(bsn) && plugins.contains("RUNNING") && plugins.contains("isolated"));
            SshClients.exec(s, "aw:simulate attach 046d:c52b JDK25-AGAIN 7-2");
        }
        RuntimeHarness.await("the plugin's line after the restart", 30,
                () -> again.text().contains("isolated got JDK25-AGAIN"));
        assertEquals(143, again.terminate());
        RuntimeHarness.deleteTree(work);
    }

    @Test
    public void badOptionsSayWhatToFix() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(java17(), "-jar", jar(), "--http-port", "http").redirectErrorStream(true);
        Process p = pb.start();
        processes.add(p);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue());
        assertTrue(out, out.contains("--http-port must be a port number 1..65535, not 'http'"));
    }

    @Test
    public void aTooShortAdministratorPasswordIsRefusedBeforeAnythingStarts() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(java17(), "-jar", jar(), "--data", data.toString(),
                "--http-port", Integer.toString(RuntimeHarness.freePort())).redirectErrorStream(true);
        pb.environment().put("AUTOWEAVE_ADMIN_PASSWORD", "short-pw");
        Process p = pb.start();
        processes.add(p);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(out, 2, p.exitValue());
        assertTrue(out, out.contains("AUTOWEAVE_ADMIN_PASSWORD must be at least 12 characters long (it has 8)"));
        assertTrue("the password itself is never printed: " + out, !out.contains("short-pw"));
    }
}
