package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

import io.autoweave.itests.hostile.HostileActivator;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * The hostile plugin corpus (one behaviour per bundle, {@link HostileActivator}) against the security monitor:
 * every behaviour is denied, recorded as a violation naming the permission and the deciding policy row, escalated
 * per level (high blocks at the first violation here, medium after three, low only warns), lockdown after three
 * blocked plugins, blocks survive a restart, everything is in the audit log; the sample plugins and the runtime keep
 * working throughout. Also the plugin state machine on EventAdmin and the plugins drop folder.
 */
public class HostilePluginsIT {

    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-hostile-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave Hostile ITest CA");
    private static final TestSigning.Credentials SIGNER = TestSigning.issue(CA, "Hostile ITest Signer");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("plugins-truststore.p12"),
            PASSWORD.toCharArray(), CA.certificate());
    private static final String HID_BSN = "io.autoweave.sample.hid.logger";
    private static final String STORAGE_BSN = "io.autoweave.sample.storage.watcher";
    private static final Path HID_UNSIGNED = Path.of(System.getProperty("sample.hid-logger"));
    private static final Path HID = TestSigning.sign(HID_UNSIGNED, WORK.resolve("hid-logger.jar"), SIGNER);
    private static final Path STORAGE = TestSigning.sign(Path.of(System.getProperty("sample.storage-watcher")),
            WORK.resolve("storage-watcher.jar"), SIGNER);

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.plugin.installer.cfg", "trust.store.path=" + TRUST + "\n.trust.store.password="
                    + PASSWORD + "\n")
            .config("io.autoweave.security.cfg", "high.block.after.violations=1\nmedium.block.after.violations=3\n"
                    + "lockdown.after.blocks=3\n")
            .config("io.autoweave.plugin.dropfolder.cfg", "poll.millis=200\n");

    /** behaviour → [expected permission (substring), expected deciding rule]. */
    private static final Map<String, String[]> CORPUS = new LinkedHashMap<>();
    static {
        CORPUS.put("passwd", new String[] { "(java.io.FilePermission \"/etc/passwd\" \"read\")", "deny-everything-else" });
        CORPUS.put("traversal", new String[] { "etc/hostname\" \"read\")", "deny-everything-else" });
        CORPUS.put("write", new String[] { "(java.io.FilePermission \"" + HostileActivator.FORBIDDEN_FILE + "\" \"write\")",
                "deny-everything-else" });
        CORPUS.put("exec", new String[] { "(java.io.FilePermission \"/bin/true\" \"execute\")", "plugins-deny-dangerous" });
        CORPUS.put("exit", new String[] { "(java.lang.RuntimePermission \"exitVM.3\")", "plugins-deny-dangerous" });
        CORPUS.put("connect", new String[] { "(java.net.SocketPermission \"10.255.255.1:80\" \"connect,resolve\")",
                "deny-everything-else" });
        CORPUS.put("reflection", new String[] { "(java.lang.reflect.ReflectPermission \"suppressAccessChecks\")",
                "plugins-deny-dangerous" });
        CORPUS.put("native", new String[] { "(java.lang.RuntimePermission \"loadLibrary.autoweave_hostile\")",
                "plugins-deny-dangerous" });
        CORPUS.put("property", new String[] { "(java.util.PropertyPermission \"" + HostileActivator.FORBIDDEN_PROPERTY
                + "\" \"write\")", "plugins-deny-dangerous" });
        CORPUS.put("threads", new String[] { "(java.lang.RuntimePermission \"modifyThreadGroup\")", "thread-limit:32" });
        CORPUS.put("usb", new String[] { "(io.autoweave.api.security.UsbPermission \"vendor=1d6b\" \"monitor\")",
                "usb-listener-filter" });
        CORPUS.put("service", new String[] { "(org.osgi.framework.ServicePermission", "deny-everything-else" });
        CORPUS.put("stop", new String[] { "(org.osgi.framework.AdminPermission", "plugins-deny-dangerous" });
        CORPUS.put("install", new String[] { "(org.osgi.framework.AdminPermission", "plugins-deny-dangerous" });
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static Object service(String type) throws Exception {
        BundleContext ctx = RUNTIME.context();
        RuntimeHarness.await(type, 30, () -> ctx.getServiceReference(type) != null);
        return ctx.getService(ctx.getServiceReference(type));
    }

    private static Object monitor() throws Exception {
        BundleContext ctx = RUNTIME.context();
        RuntimeHarness.await("the security monitor with the test configuration", 30, () -> {
            ServiceReference<?> r = ctx.getServiceReference("io.autoweave.security.SecurityMonitor");
            return r != null && "1".equals(String.valueOf(r.getProperty("high.block.after.violations")));
        });
        return service("io.autoweave.security.SecurityMonitor");
    }

    private static Object installer() throws Exception {
        BundleContext ctx = RUNTIME.context();
        RuntimeHarness.await("the installer configured with the test trust store", 30, () -> {
            ServiceReference<?> r = ctx.getServiceReference("io.autoweave.plugin.installer.PluginInstaller");
            return r != null && TRUST.toString().equals(r.getProperty("trust.store.path"));
        });
        return service("io.autoweave.plugin.installer.PluginInstaller");
    }

    private static Map<String, Object> install(Path jar, String level) throws Exception {
        Object svc = installer();
        ClassLoader cl = svc.getClass().getClassLoader();
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Object lvl = Enum.valueOf((Class) Class.forName("io.autoweave.api.plugin.SecurityLevel", false, cl),
                level.toUpperCase());
        return Reflect.fields(Reflect.invoke(svc, "install", jar.toString(), lvl));
    }

    /** The refusal code of an install that must fail. */
    private static String refusalCode(Path jar, String level) throws Exception {
        try {
            fail("installed " + install(jar, level));
            return null;
        } catch (Exception e) {
            assertEquals(e.toString(), "io.autoweave.plugin.installer.PluginInstallException", e.getClass().getName());
            return (String) e.getClass().getMethod("code").invoke(e);
        }
    }

    private static void uninstallQuietly(String bsn) {
        try {
            Reflect.invoke(installer(), "uninstall", bsn);
        } catch (Exception e) {
            // not installed
        }
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

    /** Audit records about exactly this subject (the filter matches substrings). */
    private static List<Map<String, Object>> auditOf(String decision, String subject) throws Exception {
        return audit("decision=" + decision + " subject=" + subject).stream()
                .filter(r -> subject.equals(r.get("subject"))).toList();
    }

    /** The rule of the plugin's block, once the audit record is written. */
    private static Object blockRule(String bsn) throws Exception {
        RuntimeHarness.await(bsn + " block audited", 20, () -> call(() -> !auditOf("blocked", bsn).isEmpty()));
        return auditOf("blocked", bsn).get(0).get("rule");
    }

    private static boolean blocked(String bsn) {
        try {
            return (Boolean) Reflect.invoke(monitor(), "isBlocked", bsn);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean lockdown() {
        try {
            return (Boolean) Reflect.invoke(monitor(), "isLockdown");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Bundle bundle(String bsn) {
        for (Bundle b : RUNTIME.context().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
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
        if (bsn.startsWith("itest.hostile.usb")) {
            // it may see Logitech devices only, then asks for the Linux Foundation's
            entries.put("OSGI-INF/permissions.perm", String.join("\n",
                    "(org.osgi.framework.PackagePermission \"org.osgi.framework\" \"import\")",
                    "(org.osgi.framework.PackagePermission \"io.autoweave.api.*\" \"import\")",
                    "(org.osgi.framework.ServicePermission \"io.autoweave.api.device.UsbEventListener\" \"register\")",
                    "(io.autoweave.api.security.UsbPermission \"vendor=046d\" \"monitor\")", "").getBytes());
        }
        Path unsigned = TestSigning.writeJar(WORK.resolve(bsn + "-unsigned.jar"), headers, entries);
        return TestSigning.sign(unsigned, WORK.resolve(bsn + ".jar"), SIGNER);
    }

    private static void healthUp() throws IOException {
        RuntimeHarness.Response r = RUNTIME.get("/health/ready", null, null);
        assertEquals(r.body(), 200, r.status());
    }

    private static void sampleRuns(String bsn) throws InterruptedException {
        Bundle b = bundle(bsn);
        RuntimeHarness.await(bsn + " active with its listener", 20, () -> b.getState() == Bundle.ACTIVE
                && b.getRegisteredServices() != null && b.getRegisteredServices().length == 1);
    }

    @After
    public void cleanUp() throws Exception {
        Reflect.invoke(monitor(), "setLockdown", false, "test clean-up", "itest");
        for (Object bsn : ((Map<?, ?>) Reflect.invoke(monitor(), "blocked")).keySet()) {
            Reflect.invoke(monitor(), "unblock", bsn, "test clean-up");
        }
        for (Bundle b : RUNTIME.context().getBundles()) {
            if (b.getLocation().startsWith("plugin:")) {
                uninstallQuietly(b.getSymbolicName());
            }
        }
    }

    // ---- tests ---------------------------------------------------------------------------------------------------

    @Test
    public void everyHostileBehaviourIsDeniedRecordedBlockedAndAuditedWhileSamplesKeepRunning() throws Exception {
        install(HID, "medium");
        install(STORAGE, "low");
        for (Map.Entry<String, String[]> c : CORPUS.entrySet()) {
            String bsn = "itest.hostile." + c.getKey();
            String permission = c.getValue()[0];
            String rule = c.getValue()[1];
            Map<String, Object> p = install(probe(bsn), "high");
            RuntimeHarness.await(bsn + " blocked", 20, () -> blocked(bsn));
            Bundle b = RUNTIME.context().getBundle((Long) p.get("bundleId"));
            RuntimeHarness.await(bsn + " stopped and unresolved", 20, () -> b.getState() == Bundle.INSTALLED);
            List<Map<String, Object>> vs = violations(bsn);
            assertTrue(bsn + ": " + vs, vs.stream().anyMatch(v -> String.valueOf(v.get("permission")).contains(permission)
                    && rule.equals(v.get("rule")) && "HIGH".equals(v.get("level"))
                    && ("plugin:high/" + bsn).equals(v.get("location"))));
            assertTrue(bsn + " audit: denied", auditOf("denied", bsn).stream()
                    .anyMatch(r -> rule.equals(r.get("rule"))));
            RuntimeHarness.await(bsn + " block audited", 20, () -> call(() -> auditOf("blocked", bsn).size() == 1));
            try {
                b.start();
                fail(bsn + " started while blocked");
            } catch (BundleException e) {
                assertNotEquals(Bundle.ACTIVE, b.getState());
            }
            assertEquals("BLOCKED", String.valueOf(((Map<?, ?>) Reflect.invoke(installer(), "states")).get(bsn)));
            assertTrue((Boolean) Reflect.invoke(monitor(), "unblock", bsn, "next probe"));
            Reflect.invoke(installer(), "uninstall", bsn);
            assertFalse("one block at a time never locks down", lockdown());
        }
        assertFalse(Files.exists(Path.of(HostileActivator.FORBIDDEN_FILE)));
        assertNull(System.getProperty(HostileActivator.FORBIDDEN_PROPERTY));
        assertEquals(Bundle.ACTIVE, bundle("io.autoweave.api").getState());
        sampleRuns(HID_BSN);
        sampleRuns(STORAGE_BSN);
        assertEquals("the samples do nothing forbidden", List.of(), violations(HID_BSN));
        assertEquals(List.of(), violations(STORAGE_BSN));
        healthUp();
    }

    @Test
    public void levelsEscalateDifferentlyLowWarnsMediumBlocksAfterThreeOrAtOnceWhenCritical() throws Exception {
        Map<String, Object> low = install(probe("itest.hostile.exit.low"), "low");
        RuntimeHarness.await("the low plugin's warning", 20,
                () -> call(() -> !audit("decision=warned subject=itest.hostile.exit.low").isEmpty()));
        assertFalse(blocked("itest.hostile.exit.low"));
        assertEquals(Bundle.ACTIVE, RUNTIME.context().getBundle((Long) low.get("bundleId")).getState());

        install(probe("itest.hostile.noisy"), "medium");
        RuntimeHarness.await("three violations block the medium plugin", 20, () -> blocked("itest.hostile.noisy"));
        List<Map<String, Object>> noisy = violations("itest.hostile.noisy");
        for (String denied : new String[] { "/etc/passwd", "user.home", "/etc/hostname" }) {
            assertTrue(noisy.toString(), noisy.stream().anyMatch(v -> String.valueOf(v.get("permission")).contains(denied)));
        }
        assertEquals("violations>=3:medium", blockRule("itest.hostile.noisy"));

        install(probe("itest.hostile.reflection.medium"), "medium");
        RuntimeHarness.await("a critical violation blocks the medium plugin at once", 20,
                () -> blocked("itest.hostile.reflection.medium"));
        assertEquals("critical-violation:medium", blockRule("itest.hostile.reflection.medium"));

        RuntimeHarness.Response metrics = RUNTIME.get("/metrics", "admin", RuntimeHarness.ADMIN_PASSWORD);
        assertEquals(200, metrics.status());
        assertTrue(metrics.body(), java.util.regex.Pattern.compile(
                "autoweave_security_violations_total\\{plugin=\"itest.hostile.noisy\"} [3-9]").matcher(metrics.body()).find());
        assertTrue(metrics.body(), java.util.regex.Pattern.compile(
                "autoweave_security_critical_violations_total\\{plugin=\"itest.hostile.reflection.medium\"} [1-9]")
                .matcher(metrics.body()).find());
        assertTrue(metrics.body(), metrics.body().contains("autoweave_security_blocked_plugins 2"));
        assertTrue(metrics.body(), java.util.regex.Pattern.compile("autoweave_plugins\\{state=\"blocked\"} [1-9]")
                .matcher(metrics.body()).find());
        assertTrue(metrics.body(), metrics.body().contains("autoweave_plugins{state=\"running\"}"));
    }

    @Test
    public void threeBlockedPluginsLockTheSystemDownUntilTheOperatorLiftsIt() throws Exception {
        install(HID, "medium");
        sampleRuns(HID_BSN);
        for (String b : new String[] { "passwd.a", "passwd.b", "passwd.c" }) {
            install(probe("itest.hostile." + b), "high");
            RuntimeHarness.await(b + " blocked", 20, () -> blocked("itest.hostile." + b));
        }
        RuntimeHarness.await("lockdown", 20, HostilePluginsIT::lockdown);
        RuntimeHarness.await("lockdown stops the sample", 20, () -> bundle(HID_BSN).getState() != Bundle.ACTIVE);
        assertEquals("LOCKDOWN", refusalCode(STORAGE, "low"));
        RuntimeHarness.await("lockdown audited", 20, () -> call(() -> !audit("decision=lockdown-on").isEmpty()));
        assertEquals("lockdown-after-blocks:3", audit("decision=lockdown-on").get(0).get("rule"));
        assertTrue(audit("decision=install-refused rule=lockdown").size() >= 1);
        healthUp();

        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            String state = String.valueOf(gogo.run("aw:lockdown"));
            assertTrue(state, state.startsWith("lockdown ON") && state.contains("itest.hostile.passwd.a"));
            String off = String.valueOf(gogo.run("aw:lockdown off"));
            assertTrue(off, off.startsWith("lockdown off"));
            String audit = String.valueOf(gogo.run("aw:audit decision=lockdown"));
            assertTrue(audit, audit.contains("lockdown-on") && audit.contains("lockdown-off"));
            String violations = String.valueOf(gogo.run("aw:violations itest.hostile.passwd.a"));
            assertTrue(violations, violations.contains("/etc/passwd"));
        }
        sampleRuns(HID_BSN);
        RuntimeHarness.await("the sample RUNNING again", 20, () -> call(() -> "RUNNING".equals(String.valueOf(
                ((Map<?, ?>) Reflect.invoke(installer(), "states")).get(HID_BSN)))));
        assertEquals("the blocked ones stay stopped", Bundle.INSTALLED, bundle("itest.hostile.passwd.a").getState());
    }

    @Test
    public void anOperatorBlockStopsAPluginPublishesTransitionsAndSurvivesAMonitorRestart() throws Exception {
        List<String> transitions = Collections.synchronizedList(new ArrayList<>());
        ServiceRegistration<?> handler = eventHandler("autoweave/plugin/*", transitions);
        Map<String, Object> p;
        try {
            p = install(STORAGE, "medium");
            sampleRuns(STORAGE_BSN);
            try (Gogo gogo = new Gogo(RUNTIME.context())) {
                String out = String.valueOf(gogo.run("aw:block " + STORAGE_BSN + " itest"));
                assertTrue(out, out.startsWith("blocked"));
            }
            RuntimeHarness.await("stopped", 20, () -> bundle(STORAGE_BSN).getState() == Bundle.INSTALLED);
            RuntimeHarness.await("BLOCKED published", 20, () -> transitions.contains(STORAGE_BSN + " RUNNING>BLOCKED"));
            List<String> mine;
            synchronized (transitions) {
                mine = transitions.stream().filter(t -> t.startsWith(STORAGE_BSN + " ")).toList();
            }
            assertEquals(List.of(STORAGE_BSN + " DISCOVERED>VALIDATED", STORAGE_BSN + " VALIDATED>INSTALLED",
                    STORAGE_BSN + " INSTALLED>STARTING", STORAGE_BSN + " STARTING>RUNNING",
                    STORAGE_BSN + " RUNNING>BLOCKED"), mine);
        } finally {
            handler.unregister();
        }

        // A JVM cannot boot Felix with framework security twice (the security extension keeps static state), so the
        // restart here is the security bundle's: it reads its state back from DATA/security and hooks the resolver
        // again. The framework side of a restart is covered by the stop being persistent (no autostart).
        Bundle security = bundle("io.autoweave.security");
        security.stop();
        security.start();
        Bundle b = bundle(STORAGE_BSN);
        assertEquals(p.get("bundleId"), b.getBundleId());
        assertTrue(blocked(STORAGE_BSN));
        assertFalse("blocking clears the autostart flag",
                b.adapt(org.osgi.framework.startlevel.BundleStartLevel.class).isPersistentlyStarted());
        String refusal = null;
        try {
            b.start();
            fail("a blocked plugin started after the monitor restarted");
        } catch (BundleException e) {
            assertNotEquals(Bundle.ACTIVE, b.getState());
            refusal = e.toString();
        }
        assertTrue("the audit log survives", auditOf("blocked", STORAGE_BSN).size() == 1);
        RuntimeHarness.await("the refused start (" + refusal + ") audited; state " + b.getState() + ", audit: "
                + audit("subject=" + STORAGE_BSN), 20,
                () -> call(() -> !auditOf("start-refused", STORAGE_BSN).isEmpty()));
        assertEquals("BLOCKED", String.valueOf(((Map<?, ?>) Reflect.invoke(installer(), "states")).get(STORAGE_BSN)));
        healthUp();

        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            assertTrue(String.valueOf(gogo.run("aw:unblock " + STORAGE_BSN)).startsWith("unblocked"));
        }
        RuntimeHarness.await("STOPPED after unblock", 20, () -> call(() -> "STOPPED".equals(String.valueOf(
                ((Map<?, ?>) Reflect.invoke(installer(), "states")).get(STORAGE_BSN)))));
        b.start();
        sampleRuns(STORAGE_BSN);
    }

    @Test
    public void theDropFolderInstallsRemovesAndReportsARefusedJarOnce() throws Exception {
        installer();
        Path drop = RUNTIME.dataDir().resolve("plugins-drop");
        RuntimeHarness.await("the drop folder", 20, () -> Files.isDirectory(drop));
        Files.copy(HID, drop.resolve("hid.jar"));
        RuntimeHarness.await("the dropped plugin runs", 20, () -> bundle(HID_BSN) != null
                && bundle(HID_BSN).getState() == Bundle.ACTIVE);
        assertEquals("plugin:medium/" + HID_BSN, bundle(HID_BSN).getLocation());

        Files.write(drop.resolve("garbage.jar"), new byte[] { 'P', 'K', 3, 4, 1, 2, 3 });
        Files.copy(HID_UNSIGNED, drop.resolve("unsigned.jar"));
        RuntimeHarness.await("both refusals reported", 20, () -> call(() -> audit(
                "decision=drop-refused rule=install-gate").size() == 2));
        Thread.sleep(1500); // several poll intervals: a refused jar is not retried
        List<Map<String, Object>> refused = audit("decision=drop-refused rule=install-gate");
        assertEquals(refused.toString(), 2, refused.size());
        assertTrue(refused.toString(), refused.stream().anyMatch(r -> "install-gate:CORRUPT_ARCHIVE".equals(r.get("rule"))));
        assertTrue(refused.toString(), refused.stream().anyMatch(r -> "install-gate:UNSIGNED".equals(r.get("rule"))));

        Files.delete(drop.resolve("hid.jar"));
        RuntimeHarness.await("removing the jar uninstalls the plugin", 20, () -> bundle(HID_BSN) == null);
        Files.delete(drop.resolve("garbage.jar"));
        Files.delete(drop.resolve("unsigned.jar"));
        healthUp();
    }

    @Test
    public void theDropFolderIgnoresAndReportsLinksAndDirectoriesWithoutReadingThem() throws Exception {
        installer();
        Path drop = RUNTIME.dataDir().resolve("plugins-drop");
        RuntimeHarness.await("the drop folder", 20, () -> Files.isDirectory(drop));
        Files.createSymbolicLink(drop.resolve("passwd.jar"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(drop.resolve("linked-plugin.jar"), HID); // even a link to a good plugin
        Files.createDirectory(drop.resolve("folder.jar"));
        String filter = "decision=drop-refused rule=drop-folder:NOT_REGULAR_FILE";
        RuntimeHarness.await("the three entries reported", 20, () -> call(() -> audit(filter).size() == 3));
        List<Map<String, Object>> ignored = audit(filter);
        assertTrue(ignored.toString(), ignored.stream().anyMatch(r -> String.valueOf(r.get("detail"))
                .equals("passwd.jar is a symbolic link; ignored, never read")));
        assertTrue(ignored.toString(), ignored.stream().anyMatch(r -> String.valueOf(r.get("detail"))
                .startsWith("folder.jar is a directory")));
        assertEquals("nothing installed through a link", null, bundle(HID_BSN));
        assertTrue("no install-gate verdict: the link's target was never read", audit(
                "decision=drop-refused subject=passwd.jar rule=install-gate").isEmpty());
        Files.delete(drop.resolve("passwd.jar"));
        Files.delete(drop.resolve("linked-plugin.jar"));
        Files.delete(drop.resolve("folder.jar"));
        healthUp();
    }

    // ---- small things ----------------------------------------------------------------------------------------------

    interface Check {
        boolean get() throws Exception;
    }

    private static boolean call(Check c) {
        try {
            return c.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Subscribes to EventAdmin from outside the framework: the handler must implement the framework's EventHandler
     * class (from the EventAdmin bundle's class space), so it is a proxy recording "plugin FROM>TO".
     */
    private static ServiceRegistration<?> eventHandler(String topic, List<String> sink) throws Exception {
        Bundle eventAdmin = bundle("org.apache.felix.eventadmin");
        Class<?> type = eventAdmin.loadClass("org.osgi.service.event.EventHandler");
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (o, m, args) -> {
            if (m.getName().equals("handleEvent")) {
                Object e = args[0];
                Method get = e.getClass().getMethod("getProperty", String.class);
                sink.add(get.invoke(e, "plugin") + " " + get.invoke(e, "from") + ">" + get.invoke(e, "to"));
                return null;
            }
            return m.getName().equals("hashCode") ? System.identityHashCode(o)
                    : m.getName().equals("equals") ? o == args[0] : "itest-handler";
        });
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("event.topics", topic);
        return RUNTIME.context().registerService(type.getName(), proxy, props);
    }
}
