package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;

import com.sun.net.httpserver.HttpServer;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.security.UsbPermission;
import io.autoweave.itests.probe.HostileProbe;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * Plugins through the installer, in the real runtime: the signature gate, locations by level, the resolver guard,
 * the per-level policy and each plugin's permissions.perm. The sample plugins are the jars the build made, signed
 * here by a CA that exists only for this test run (no key is committed anywhere).
 */
public class PluginInstallIT {

    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = tempDir();
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave ITest Plugins CA");
    private static final TestSigning.Credentials SIGNER = TestSigning.issue(CA, "ITest Plugin Signer");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("plugins-truststore.p12"),
            PASSWORD.toCharArray(), CA.certificate());

    private static final String HID_BSN = "io.autoweave.sample.hid.logger";
    private static final String STORAGE_BSN = "io.autoweave.sample.storage.watcher";
    private static final Path HID_UNSIGNED = Path.of(System.getProperty("sample.hid-logger"));
    private static final Path STORAGE_UNSIGNED = Path.of(System.getProperty("sample.storage-watcher"));
    private static final Path HID = TestSigning.sign(HID_UNSIGNED, WORK.resolve("hid-logger.jar"), SIGNER);
    private static final Path STORAGE = TestSigning.sign(STORAGE_UNSIGNED, WORK.resolve("storage-watcher.jar"), SIGNER);
    private static final String NOTIFIER_BSN = "io.autoweave.sample.notifier";
    private static final Path NOTIFIER = TestSigning.sign(Path.of(System.getProperty("sample.notifier")),
            WORK.resolve("notifier.jar"), SIGNER);
    private static final int NOTIFY_PORT = freePort();

    private static final UsbDevice KEYBOARD = new UsbDevice(0x046d, 0xc31c, null, "Logitech", "Keyboard", 0, 0, 0,
            List.of(3, 3), 0x6400, 1, 3, "1-2", null);
    private static final UsbDevice STICK = new UsbDevice(0x0781, 0x5567, "S1", "SanDisk", "Cruzer", 0, 0, 0,
            List.of(8), 0x0100, 1, 4, "1-3", null);

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness().config("io.autoweave.plugin.installer.cfg",
            "trust.store.path=" + TRUST + "\n.trust.store.password=" + PASSWORD + "\n")
            // the hostile probe here proves denials; escalation (blocking it) is HostilePluginsIT's subject
            .config("io.autoweave.security.cfg", "high.block.on.critical=false\nhigh.block.after.violations=0\n");

    private static int freePort() {
        try {
            return RuntimeHarness.freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("autoweave-plugin-it");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the installer service, seen reflectively (its types live in the runtime's bundles) ----------------------

    /** A refusal: the installer's code and message. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final String code;

        Refused(String code, String message) {
            super(code + ": " + message);
            this.code = code;
        }
    }

    private static Object installer() throws Exception {
        BundleContext ctx = RUNTIME.context();
        RuntimeHarness.await("the installer configured with the test trust store", 30, () -> {
            ServiceReference<?> r = ctx.getServiceReference("io.autoweave.plugin.installer.PluginInstaller");
            return r != null && TRUST.toString().equals(r.getProperty("trust.store.path"));
        });
        ServiceReference<?> ref = ctx.getServiceReference("io.autoweave.plugin.installer.PluginInstaller");
        assertNull("the trust store password is not published", ref.getProperty(".trust.store.password"));
        return ctx.getService(ref);
    }

    private static Map<String, Object> install(Object source, String level) throws Exception {
        Object svc = installer();
        ClassLoader cl = svc.getClass().getClassLoader();
        Class<?> api = Class.forName("io.autoweave.plugin.installer.PluginInstaller", false, cl);
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Object lvl = Enum.valueOf((Class) Class.forName("io.autoweave.api.plugin.SecurityLevel", false, cl),
                level.toUpperCase());
        return call(svc, api.getMethod("install", String.class, lvl.getClass()), source.toString(), lvl);
    }

    private static Map<String, Object> uninstall(String bsn) throws Exception {
        Object svc = installer();
        Class<?> api = Class.forName("io.autoweave.plugin.installer.PluginInstaller", false,
                svc.getClass().getClassLoader());
        return call(svc, api.getMethod("uninstall", String.class), bsn);
    }

    private static Map<String, Object> call(Object svc, Method m, Object... args) throws Exception {
        try {
            return fields(m.invoke(svc, args));
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t.getClass().getName().equals("io.autoweave.plugin.installer.PluginInstallException")) {
                throw new Refused((String) t.getClass().getMethod("code").invoke(t), t.getMessage());
            }
            throw e;
        }
    }

    private static Map<String, Object> fields(Object record) throws Exception {
        Map<String, Object> f = new LinkedHashMap<>();
        for (var c : record.getClass().getRecordComponents()) {
            Object v = c.getAccessor().invoke(record);
            f.put(c.getName(), v instanceof Enum ? v.toString() : v);
        }
        return f;
    }

    private static Refused refusal(Object source, String level) throws Exception {
        try {
            Map<String, Object> p = install(source, level);
            uninstall((String) p.get("symbolicName"));
            fail("installed " + p);
            return null;
        } catch (Refused r) {
            return r;
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

    // ---- tests ---------------------------------------------------------------------------------------------------

    @Test
    public void theRuntimeCommitsThePluginRowsBetweenCoreAndTheFinalDeny() throws Exception {
        assertEquals(List.of("core-bundles", "plugins-deny-dangerous", "plugins-common", "plugins-low",
                "plugins-medium", "plugins-high", "deny-everything-else"), RUNTIME.policyRowNames());
    }

    @Test
    public void aSignedSamplePluginInstallsAndRunsAtItsLevelLocation() throws Exception {
        Map<String, Object> p = install(HID, "medium");
        try {
            assertEquals("plugin:medium/" + HID_BSN, p.get("location"));
            assertEquals("RUNNING", p.get("state"));
            assertEquals("MEDIUM", p.get("level"));
            assertTrue(String.valueOf(p.get("signer")), String.valueOf(p.get("signer")).contains("ITest Plugin Signer"));
            Bundle b = RUNTIME.context().getBundle((Long) p.get("bundleId"));
            assertEquals(Bundle.ACTIVE, b.getState());
            assertEquals("plugins start after every core bundle", 8,
                    b.adapt(org.osgi.framework.startlevel.BundleStartLevel.class).getStartLevel());
            RuntimeHarness.await("the plugin's DS component registers its UsbEventListener", 20,
                    () -> b.getRegisteredServices() != null && b.getRegisteredServices().length == 1);
            assertEquals("io.autoweave.api.device.UsbEventListener",
                    ((String[]) b.getRegisteredServices()[0].getProperty("objectClass"))[0]);
        } finally {
            uninstall(HID_BSN);
        }
        assertNull("uninstall removes it", bundle(HID_BSN));
    }

    @Test
    public void aSecondInstallOfTheSamePluginIsRefusedAndTheFirstStays() throws Exception {
        Map<String, Object> first = install(STORAGE, "medium");
        try {
            Refused r = refusal(STORAGE, "high");
            assertEquals("DUPLICATE", r.code);
            assertTrue(r.getMessage(), r.getMessage().contains("already installed"));
            Bundle b = RUNTIME.context().getBundle((Long) first.get("bundleId"));
            assertEquals(Bundle.ACTIVE, b.getState());
            assertEquals("plugin:medium/" + STORAGE_BSN, b.getLocation());
        } finally {
            uninstall(STORAGE_BSN);
        }
    }

    @Test
    public void anUnsignedPluginIsRefusedAndNothingIsInstalled() throws Exception {
        int before = RUNTIME.context().getBundles().length;
        Refused r = refusal(HID_UNSIGNED, "low");
        assertEquals("UNSIGNED", r.code);
        assertEquals(before, RUNTIME.context().getBundles().length);
        assertNull(bundle(HID_BSN));
    }

    @Test
    public void aPluginSignedByAnUntrustedSignerIsRefused() throws Exception {
        TestSigning.Credentials strangerCa = TestSigning.newCa("Stranger CA");
        Path jar = TestSigning.sign(HID_UNSIGNED, WORK.resolve("stranger.jar"),
                TestSigning.issue(strangerCa, "Stranger Signer"));
        int before = RUNTIME.context().getBundles().length;
        assertEquals("UNTRUSTED_SIGNER", refusal(jar, "low").code);
        assertEquals(before, RUNTIME.context().getBundles().length);
    }

    @Test
    public void aTamperedPluginIsRefused() throws Exception {
        Path added = TestSigning.tamper(HID, WORK.resolve("added.jar"),
                e -> e.put("io/autoweave/sample/hidlogger/Backdoor.class", new byte[] { (byte) 0xCA, (byte) 0xFE }));
        Path changed = TestSigning.tamper(HID, WORK.resolve("changed.jar"),
                e -> e.put("OSGI-INF/permissions.perm", "(java.security.AllPermission)\n".getBytes()));
        int before = RUNTIME.context().getBundles().length;
        assertEquals("UNSIGNED_ENTRY", refusal(added, "medium").code);
        assertEquals("DIGEST_MISMATCH", refusal(changed, "medium").code);
        assertEquals(before, RUNTIME.context().getBundles().length);
    }

    @Test
    public void withoutATrustStoreEveryInstallIsRefusedWithAReasonThatSaysWhatToDo() throws Exception {
        Path aside = WORK.resolve("trust-aside.p12");
        Files.move(TRUST, aside);
        try {
            Refused r = refusal(HID, "medium");
            assertEquals("NO_TRUST_STORE", r.code);
            assertTrue(r.getMessage(), r.getMessage().contains("keytool -importcert"));
        } finally {
            Files.move(aside, TRUST, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    public void aPluginDownloadsFromALoopbackUrl() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/storage-watcher.jar", ex -> {
            byte[] body = Files.readAllBytes(STORAGE);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            Map<String, Object> p = install("http://127.0.0.1:" + server.getAddress().getPort()
                    + "/storage-watcher.jar", "low");
            assertEquals("plugin:low/" + STORAGE_BSN, p.get("location"));
            assertEquals("RUNNING", p.get("state"));
        } finally {
            server.stop(0);
            uninstall(STORAGE_BSN);
        }
        assertEquals("BAD_SOURCE", refusal("http://example.invalid/x.jar", "low").code);
    }

    @Test
    public void aBundleInstalledByAnotherRouteNeverResolvesEvenWhenSignedOrAtAPluginLocation() throws Exception {
        for (String location : new String[] { "inputstream:hid-logger.jar", "plugin:low/" + HID_BSN }) {
            Bundle b;
            try (InputStream in = Files.newInputStream(HID)) {
                b = RUNTIME.context().installBundle(location, in);
            }
            try {
                b.start();
                fail(location + ": a bundle the installer did not install started");
            } catch (BundleException e) {
                assertEquals(location, Bundle.INSTALLED, b.getState());
            } finally {
                b.uninstall();
            }
        }
    }

    @Test
    public void aHostilePluginAtHighCannotReadPasswdNorWritePropertiesNorInstallBundles() throws Exception {
        Map<String, String> headers = TestSigning.bundleHeaders("itest.hostile.probe");
        headers.put("Bundle-Activator", HostileProbe.class.getName());
        headers.put("Import-Package", "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device");
        String cls = HostileProbe.class.getName().replace('.', '/') + ".class";
        byte[] code;
        try (InputStream in = HostileProbe.class.getClassLoader().getResourceAsStream(cls)) {
            code = in.readAllBytes();
        }
        Path unsigned = TestSigning.writeJar(WORK.resolve("probe-unsigned.jar"), headers, Map.of(cls, code));
        Path probe = TestSigning.sign(unsigned, WORK.resolve("probe.jar"), SIGNER);
        Map<String, Object> p = install(probe, "high");
        try {
            Bundle b = RUNTIME.context().getBundle((Long) p.get("bundleId"));
            assertEquals("plugin:high/itest.hostile.probe", b.getLocation());
            ServiceReference<?> report = b.getRegisteredServices()[0];
            assertEquals("denied: java.security.AccessControlException", report.getProperty("probe.read.passwd"));
            assertEquals("denied: java.security.AccessControlException", report.getProperty("probe.write.property"));
            assertEquals("denied: java.security.AccessControlException", report.getProperty("probe.install.bundle"));
            assertNull(System.getProperty("autoweave.itest.hostile"));
            assertFalse(b.hasPermission(new java.io.FilePermission("/etc/passwd", "read")));
            // high: sees devices, may not read them
            assertTrue(UsbPermission.canMonitor(b::hasPermission, KEYBOARD));
            assertFalse(b.hasPermission(UsbPermission.forDevice(KEYBOARD, "read")));
        } finally {
            uninstall("itest.hostile.probe");
        }
    }

    @Test
    public void aPluginSeesOnlyTheDevicesItsPermissionsPermAndLevelAllow() throws Exception {
        Map<String, Object> hid = install(HID, "medium");
        Map<String, Object> storage = install(STORAGE, "low");
        try {
            Bundle h = RUNTIME.context().getBundle((Long) hid.get("bundleId"));
            Bundle s = RUNTIME.context().getBundle((Long) storage.get("bundleId"));
            assertTrue(UsbPermission.canMonitor(h::hasPermission, KEYBOARD));
            assertFalse("permissions.perm limits the HID logger to class 03", UsbPermission.canMonitor(h::hasPermission, STICK));
            assertTrue(UsbPermission.canMonitor(s::hasPermission, STICK));
            assertFalse(UsbPermission.canMonitor(s::hasPermission, KEYBOARD));
            assertFalse("permissions.perm asks for monitor only", s.hasPermission(UsbPermission.forDevice(STICK, "read")));
            Bundle core = bundle("io.autoweave.api");
            assertTrue("core bundles hold AllPermission", core.hasPermission(UsbPermission.forDevice(STICK, "write")));
        } finally {
            uninstall(HID_BSN);
            uninstall(STORAGE_BSN);
        }
    }

    @Test
    public void gogoCommandsListInstallAndUninstall() throws Exception {
        installer();
        BundleContext ctx = RUNTIME.context();
        ServiceReference<?> ref = ctx.getServiceReferences((String) null,
                "(&(osgi.command.scope=aw)(osgi.command.function=install))")[0];
        assertEquals(List.of("install", "plugins", "uninstall", "repos", "start", "stop"),
                List.of((String[]) ref.getProperty("osgi.command.function")));
        // through the real command processor, as an operator types them
        try (Gogo gogo = new Gogo(ctx)) {
            String installed = String.valueOf(gogo.run("aw:install " + HID + " high"));
            assertTrue(installed, installed.contains("RUNNING") && installed.contains("plugin:high/" + HID_BSN));
            String list = String.valueOf(gogo.run("aw:plugins"));
            assertTrue(list, list.contains(HID_BSN));
            String json = String.valueOf(gogo.run("aw:plugins --json"));
            assertTrue(json, json.contains("\"symbolic_name\":\"" + HID_BSN + "\""));
            String removed = String.valueOf(gogo.run("aw:uninstall " + HID_BSN));
            assertTrue(removed, removed.startsWith("uninstalled"));
            assertEquals("no plugins installed", String.valueOf(gogo.run("aw:plugins")));
        }
    }

    @Test
    public void aw_startAndAw_stopGoThroughTheInstallerRefuseABlockedPluginAndAreAudited() throws Exception {
        Map<String, Object> p = install(HID, "medium");
        Bundle b = RUNTIME.context().getBundle((Long) p.get("bundleId"));
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            String stopped = String.valueOf(gogo.run("aw:stop " + HID_BSN));
            assertTrue(stopped, stopped.startsWith("stopped") && b.getState() != Bundle.ACTIVE);
            String started = String.valueOf(gogo.run("aw:start " + HID_BSN));
            assertTrue(started, started.startsWith("started") && b.getState() == Bundle.ACTIVE);
            gogo.run("aw:block " + HID_BSN + " itest");
            String list = String.valueOf(gogo.run("aw:plugins"));
            assertTrue(list, list.matches("(?s).*" + HID_BSN + "\\s+\\S+\\s+0\\s+BLOCKED: itest.*"));
            try {
                gogo.run("aw:start " + HID_BSN);
                fail("a blocked plugin must not start");
            } catch (Exception e) {
                assertTrue(e.toString(), e.getMessage().contains("is blocked") && e.getMessage().contains("aw:unblock"));
            }
            assertTrue(b.getState() != Bundle.ACTIVE);
            try {
                gogo.run("aw:start io.autoweave.api");
                fail("the runtime's own bundles are not the installer's to start");
            } catch (Exception e) {
                assertTrue(e.toString(), e.getMessage().contains("is not a plugin"));
            }
            String audit = String.valueOf(gogo.run("aw:audit subject=" + HID_BSN));
            assertTrue(audit, audit.contains("stopped") && audit.contains("started") && audit.contains("start-refused")
                    && audit.contains("by gogo"));
            gogo.run("aw:unblock " + HID_BSN);
        } finally {
            uninstall(HID_BSN);
        }
    }

    @Test
    public void theNotifierSamplePostsEventsToItsLoopbackEndpointAndIsDeniedAPortItsPolicyDoesNotGrant()
            throws Exception {
        java.util.concurrent.BlockingQueue<String> posts = new java.util.concurrent.LinkedBlockingQueue<>();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), NOTIFY_PORT), 10);
        server.createContext("/notify", x -> {
            posts.add(new String(x.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        server.start();
        // the runtime runs in this JVM: the framework property falls back to this system property
        System.setProperty("autoweave.notifier.url", "http://localhost:" + NOTIFY_PORT + "/notify");
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            install(NOTIFIER, "low");
            gogo.run("aw:simulate attach 046d:c52b NOTIFY-1 4-1");
            String post = posts.poll(20, java.util.concurrent.TimeUnit.SECONDS);
            assertNotNull("the notifier posted the attach", post);
            assertTrue(post, post.contains("\"action\":\"attach\"") && post.contains("\"serial_number\":\"NOTIFY-1\""));
            assertTrue("an allowed post records no violation",
                    !String.valueOf(gogo.run("aw:violations " + NOTIFIER_BSN)).contains("Permission"));
            uninstall(NOTIFIER_BSN);

            // port 81 is outside its permissions.perm (loopback 1024 and up): denied, recorded, nothing sent
            System.setProperty("autoweave.notifier.url", "http://localhost:81/notify");
            install(NOTIFIER, "low");
            gogo.run("aw:simulate detach 046d:c52b NOTIFY-1 4-1");
            RuntimeHarness.await("the denied connect recorded as a violation", 20, () -> {
                try {
                    String v = String.valueOf(gogo.run("aw:violations " + NOTIFIER_BSN));
                    return v.contains("SocketPermission") && v.contains("localhost:81");
                } catch (Exception e) {
                    return false;
                }
            });
            assertNull("nothing else reached the endpoint", posts.poll(1, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            System.clearProperty("autoweave.notifier.url");
            server.stop(0);
            if (bundle(NOTIFIER_BSN) != null) {
                uninstall(NOTIFIER_BSN);
            }
        }
    }

    @Test
    public void theInstallerRefusesToUninstallRuntimeBundles() throws Exception {
        try {
            uninstall("io.autoweave.api");
            fail();
        } catch (Refused r) {
            assertEquals("NOT_A_PLUGIN", r.code);
        }
        assertNotNull(bundle("io.autoweave.api"));
    }

}
