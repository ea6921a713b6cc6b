package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.FrameworkStartLevel;

import io.autoweave.itests.hostile.HostileActivator;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * The in-process (JDK 17) hardening against the hostile behaviours the SecurityManager alone did not contain: a
 * plugin with no permission interrupting every thread of the JVM, a {@code start()} that never returns, a console
 * flood, an interrupt while the audit log is written, readiness while the framework is below its start level. Each
 * probe is a signed bundle of the hostile corpus ({@link HostileActivator}) installed through the installer.
 */
public class PluginContainmentIT {

    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-containment-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave Containment ITest CA");
    private static final TestSigning.Credentials SIGNER = TestSigning.issue(CA, "Containment ITest Signer");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("plugins-truststore.p12"),
            PASSWORD.toCharArray(), CA.certificate());
    private static final String HID_BSN = "io.autoweave.sample.hid.logger";
    private static final Path HID = TestSigning.sign(Path.of(System.getProperty("sample.hid-logger")),
            WORK.resolve("hid-logger.jar"), SIGNER);
    private static final int START_TIMEOUT_SECONDS = 2;
    private static final long LINES_PER_SECOND = 100;
    private static final long BURST = 1000;
    /** What reaches the real System.out: installed before the runtime, so the security monitor wraps it. */
    private static final ByteArrayOutputStream CONSOLE = captureConsole();

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.plugin.installer.cfg", "trust.store.path=" + TRUST + "\n.trust.store.password="
                    + PASSWORD + "\nstart.timeout.seconds=" + START_TIMEOUT_SECONDS + "\n")
            .config("io.autoweave.security.cfg", "high.block.after.violations=1\nmedium.block.after.violations=3\n"
                    + "lockdown.after.blocks=0\nconsole.lines.per.second=" + LINES_PER_SECOND
                    + "\nconsole.burst.lines=" + BURST + "\n");

    private static ByteArrayOutputStream captureConsole() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] { (byte) b }, 0, 1);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                copy.write(b, off, len);
                original.write(b, off, len);
            }
        }, true));
        return copy;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static Object service(String type, String property, String value) throws Exception {
        BundleContext ctx = RUNTIME.context();
        RuntimeHarness.await(type + " configured for the test", 30, () -> {
            ServiceReference<?> r = ctx.getServiceReference(type);
            return r != null && value.equals(String.valueOf(r.getProperty(property)));
        });
        return ctx.getService(ctx.getServiceReference(type));
    }

    private static Object monitor() throws Exception {
        return service("io.autoweave.security.SecurityMonitor", "console.lines.per.second",
                Long.toString(LINES_PER_SECOND));
    }

    private static Object installer() throws Exception {
        return service("io.autoweave.plugin.installer.PluginInstaller", "start.timeout.seconds",
                Integer.toString(START_TIMEOUT_SECONDS));
    }

    private static Map<String, Object> install(Path jar, String level) throws Exception {
        Object svc = installer();
        ClassLoader cl = svc.getClass().getClassLoader();
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Object lvl = Enum.valueOf((Class) Class.forName("io.autoweave.api.plugin.SecurityLevel", false, cl),
                level.toUpperCase());
        return Reflect.fields(Reflect.invoke(svc, "install", jar.toString(), lvl));
    }

    private static Path probe(String bsn) throws IOException {
        Map<String, String> headers = TestSigning.bundleHeaders(bsn);
        headers.put("Bundle-Activator", HostileActivator.class.getName());
        headers.put("Import-Package", "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device");
        String cls = HostileActivator.class.getName().replace('.', '/') + ".class";
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = HostileActivator.class.getClassLoader().getResourceAsStream(cls)) {
            entries.put(cls, in.readAllBytes());
        }
        Path unsigned = TestSigning.writeJar(WORK.resolve(bsn + "-unsigned.jar"), headers, entries);
        return TestSigning.sign(unsigned, WORK.resolve(bsn + ".jar"), SIGNER);
    }

    /** The outcome the probe published on its listener registration, once it did. */
    private static String outcome(String bsn) throws InterruptedException {
        String[] found = new String[1];
        RuntimeHarness.await(bsn + " reporting its outcome", 60, () -> {
            Bundle b = bundle(bsn);
            ServiceReference<?>[] refs = b == null ? null : b.getRegisteredServices();
            if (refs != null && refs.length > 0) {
                found[0] = String.valueOf(refs[0].getProperty("hostile.outcome"));
            }
            return found[0] != null;
        });
        return found[0];
    }

    private static Bundle bundle(String bsn) {
        for (Bundle b : RUNTIME.context().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private static List<Map<String, Object>> violations(String bsn) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object v : (List<?>) Reflect.invoke(monitor(), "violations", bsn)) {
            out.add(Reflect.fields(v));
        }
        return out;
    }

    private static List<Map<String, Object>> audit(String filter) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : (List<?>) Reflect.invoke(monitor(), "audit", filter, 1000)) {
            out.add(Reflect.fields(r));
        }
        return out;
    }

    private static boolean blocked(String bsn) {
        try {
            return (Boolean) Reflect.invoke(monitor(), "isBlocked", bsn);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int ready() throws IOException {
        return RUNTIME.get("/health/ready", null, null).status();
    }

    /** POST /api/v1/plugins with the jar as the body, as an admin: the REST install on a Jetty request thread. */
    private static RuntimeHarness.Response upload(Path jar, String level) {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(RUNTIME.baseUrl()
                    + "/api/v1/plugins?level=" + level).openConnection();
            c.setRequestMethod("POST");
            c.setConnectTimeout(5000);
            c.setReadTimeout(60_000);
            c.setRequestProperty("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                    ("admin:" + RuntimeHarness.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)));
            c.setRequestProperty("Content-Type", "application/java-archive");
            c.setDoOutput(true);
            c.getOutputStream().write(Files.readAllBytes(jar));
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            return new RuntimeHarness.Response(status, in == null ? "" : new String(in.readAllBytes(),
                    StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @After
    public void cleanUp() throws Exception {
        for (Object bsn : ((Map<?, ?>) Reflect.invoke(monitor(), "blocked")).keySet()) {
            Reflect.invoke(monitor(), "unblock", bsn, "test clean-up");
        }
        for (Bundle b : RUNTIME.context().getBundles()) {
            if (b.getLocation().startsWith("plugin:")) {
                String bsn = b.getSymbolicName();
                RuntimeHarness.await("uninstall of " + bsn, 30, () -> {
                    try {
                        Reflect.invoke(installer(), "uninstall", bsn);
                        return true;
                    } catch (Exception e) {
                        return e.getMessage() != null && e.getMessage().contains("no plugin");
                    }
                });
            }
        }
    }

    // ---- tests ---------------------------------------------------------------------------------------------------

    @Test
    public void aPluginMayNotInterruptTheRuntimesThreadsAndTheRuntimeKeepsWorking() throws Exception {
        install(probe("itest.hostile.interrupt"), "low");
        String outcome = outcome("itest.hostile.interrupt");
        Matcher m = Pattern.compile("interrupted (\\d+), refused (\\d+)").matcher(outcome);
        assertTrue(outcome, m.matches());
        assertEquals("no runtime thread may be interrupted: " + outcome, "0", m.group(1));
        assertTrue(outcome, Integer.parseInt(m.group(2)) >= 1);
        RuntimeHarness.await("the violation recorded", 20, () -> {
            try {
                return !violations("itest.hostile.interrupt").isEmpty();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        List<Map<String, Object>> vs = violations("itest.hostile.interrupt");
        assertTrue(vs.toString(), vs.stream().anyMatch(v -> "foreign-thread".equals(v.get("rule"))
                && String.valueOf(v.get("permission")).contains("modifyThread")));
        assertEquals("low warns only", false, blocked("itest.hostile.interrupt"));
        // the runtime is whole: HTTP answers, the audit log takes records, another plugin installs and runs
        assertEquals(200, ready());
        Reflect.invoke(monitor(), "audit", "itest-after-interrupt", "-", "itest", "still writing");
        assertEquals(1, audit("decision=itest-after-interrupt").size());
        install(HID, "medium");
        assertEquals(Bundle.ACTIVE, bundle(HID_BSN).getState());

        install(probe("itest.hostile.interrupt.high"), "high");
        RuntimeHarness.await("the high one blocked", 20, () -> blocked("itest.hostile.interrupt.high"));
        assertEquals(200, ready());
    }

    @Test
    public void aStartThatNeverReturnsIsAnsweredMarkedFailedAndBlockedWhileOtherInstallsGoOn() throws Exception {
        installer();
        Path hang = probe("itest.hostile.hang");
        long t0 = System.nanoTime();
        CompletableFuture<RuntimeHarness.Response> answer = CompletableFuture.supplyAsync(() -> upload(hang, "medium"));
        RuntimeHarness.await("the hanging start under way", 20, () -> bundle("itest.hostile.hang") != null
                && bundle("itest.hostile.hang").getState() == Bundle.STARTING);
        long other = System.nanoTime();
        install(HID, "medium"); // not behind the hanging one
        double otherSeconds = (System.nanoTime() - other) / 1e9;
        assertTrue("the other install waited " + otherSeconds + " s", !answer.isDone() || otherSeconds
                < START_TIMEOUT_SECONDS);
        assertEquals(Bundle.ACTIVE, bundle(HID_BSN).getState());

        RuntimeHarness.Response r = answer.get(START_TIMEOUT_SECONDS + 20, java.util.concurrent.TimeUnit.SECONDS);
        double answered = (System.nanoTime() - t0) / 1e9;
        System.out.printf("[containment-it] hanging start answered after %.1f s (time-out %d s), other install took "
                + "%.2f s%n", answered, START_TIMEOUT_SECONDS, otherSeconds);
        assertEquals(r.body(), 409, r.status());
        assertTrue(r.body(), r.body().contains("START_TIMEOUT"));
        assertTrue(blocked("itest.hostile.hang"));
        assertEquals("start-timeout:" + START_TIMEOUT_SECONDS + "s", audit("decision=blocked subject=itest.hostile.hang")
                .get(0).get("rule"));
        assertEquals("BLOCKED", String.valueOf(((Map<?, ?>) Reflect.invoke(installer(), "states"))
                .get("itest.hostile.hang")));
        // the activator is ended (interrupt, then stop): the bundle lock is free again, so it can be removed
        Bundle b = bundle("itest.hostile.hang");
        RuntimeHarness.await("the hanging activator ended", 20, () -> b.getState() != Bundle.STARTING);
        Reflect.invoke(monitor(), "unblock", "itest.hostile.hang", "test");
        Reflect.invoke(installer(), "uninstall", "itest.hostile.hang");
        assertEquals(null, bundle("itest.hostile.hang"));
        assertEquals(200, ready());
    }

    @Test
    public void consoleLinesOfAPluginCarryItsNameAndAreRateLimited() throws Exception {
        monitor();
        install(probe("itest.hostile.flood"), "low");
        String outcome = outcome("itest.hostile.flood");
        assertTrue(outcome, outcome.startsWith("printed in "));
        long millis = Long.parseLong(outcome.replaceAll("\\D", ""));
        String text;
        synchronized (System.out) {
            text = CONSOLE.toString(StandardCharsets.UTF_8);
        }
        long passed = text.lines().filter(l -> l.startsWith("[plugin itest.hostile.flood] flood line ")).count();
        long unattributed = text.lines().filter(l -> l.startsWith("flood line ")).count();
        long allowed = BURST + LINES_PER_SECOND * (millis / 1000 + 2);
        System.out.printf("[containment-it] %d console lines in %d ms: %d passed (budget %d), %d dropped%n",
                HostileActivator.FLOOD_LINES, millis, passed, allowed, HostileActivator.FLOOD_LINES - passed);
        assertEquals("every line carries the plugin's name", 0, unattributed);
        assertTrue(passed + " passed", passed >= BURST && passed <= allowed);
        RuntimeHarness.await("the drops reported", 20, () -> {
            try {
                return !audit("decision=resource-limit subject=itest.hostile.flood").isEmpty();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals("console-rate:low:drop", audit("decision=resource-limit subject=itest.hostile.flood").get(0)
                .get("rule"));
        RuntimeHarness.Response metrics = RUNTIME.get("/metrics", "admin", RuntimeHarness.ADMIN_PASSWORD);
        assertTrue(metrics.body(), metrics.body().contains("autoweave_plugin_console_lines_total{plugin=\""
                + "itest.hostile.flood\",outcome=\"dropped\"} " + (HostileActivator.FLOOD_LINES - passed)));
    }

    @Test
    public void anInterruptWhileTheAuditLogIsWrittenLosesNoLaterRecord() throws Exception {
        Object monitor = monitor();
        Thread.currentThread().interrupt();
        try {
            Reflect.invoke(monitor, "audit", "itest-interrupted-writer", "-", "itest", "written with the flag set");
        } finally {
            Thread.interrupted();
        }
        Thread other = new Thread(() -> {
            try {
                Reflect.invoke(monitor, "audit", "itest-later-writer", "-", "itest", "after the interrupt");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        other.start();
        other.join(10_000);
        assertEquals(1, audit("decision=itest-interrupted-writer").size());
        assertEquals(1, audit("decision=itest-later-writer").size());
    }

    @Test
    public void readinessIsDownWhileTheFrameworkIsBelowItsStartLevel() throws Exception {
        FrameworkStartLevel sl = RUNTIME.framework().adapt(FrameworkStartLevel.class);
        int level = sl.getStartLevel();
        assertEquals(200, ready());
        try {
            sl.setStartLevel(level - 1);
            RuntimeHarness.await("start level " + (level - 1), 20, () -> sl.getStartLevel() == level - 1);
            assertEquals(503, ready());
        } finally {
            sl.setStartLevel(level);
        }
        RuntimeHarness.await("start level " + level, 20, () -> sl.getStartLevel() == level);
        RuntimeHarness.await("ready again", 20, () -> {
            try {
                return ready() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }
}
