package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceRegistration;

import io.autoweave.api.security.UsbPermission;
import io.autoweave.itests.probe.DeliveryProbeActivator;
import io.autoweave.launcher.Launcher;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * The dispatcher remembers each plugin's {@code UsbPermission} answers per device kind (issue 15); these tests prove,
 * in the real runtime with security on, that every change that can alter an answer is seen by the very next event:
 * a policy reload that revokes and one that grants again, a block, an unblock, an uninstall. A core witness listener
 * (AllPermission) receives every event, so "the plugin did not get it" is checked after the event was dispatched;
 * a withheld delivery is also counted synchronously by the dispatcher ({@code listeners.withheld_by_permission}).
 */
public class PermissionCacheIT {
    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-permcache-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave ITest Cache CA");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("truststore.p12"), PASSWORD.toCharArray(),
            CA.certificate());
    private static final String BSN = "itest.cache.probe";
    private static final String LOCATION = "plugin:high/" + BSN;
    /** The probe gets the test's queue; everything else is the project's policy for level high. */
    private static final Path POLICIES = RuntimeHarness.policyDir(Map.of("10-itest-queue.policy",
            "ALLOW {\n  [org.osgi.service.condpermadmin.BundleLocationCondition \"" + LOCATION + "\"]\n"
                    + "  (org.osgi.framework.ServicePermission \"java.util.concurrent.BlockingQueue\" \"get\")\n"
                    + "} \"itest-queue\"\n"));
    /** Revokes what the plugins row grants: vendor 046d is no longer visible to the probe. */
    private static final String DENY_046D = "DENY {\n  [org.osgi.service.condpermadmin.BundleLocationCondition \""
            + LOCATION + "\"]\n  (io.autoweave.api.security.UsbPermission \"vendor=046d\" \"monitor\")\n"
            + "} \"itest-deny-046d\"\n";

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness().policies(POLICIES)
            .config("io.autoweave.plugin.installer.cfg", "trust.store.path=" + TRUST + "\n.trust.store.password="
                    + PASSWORD + "\n")
            // the test reloads by command, so that it knows which event is the first after the reload
            .config("io.autoweave.security.policy.cfg", "watch=false\n");

    private static final BlockingQueue<Map<String, String>> RECEIVED = new LinkedBlockingQueue<>();
    private static final List<Map<String, String>> SEEN = new ArrayList<>();
    private static ServiceRegistration<?> queue;
    private static Bundle witness;
    private static Gogo gogo;
    private static Path probeJar;
    private static int serial;

    @BeforeClass
    public static void setUp() throws Exception {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("autoweave.itest", "delivery-probe");
        queue = RUNTIME.context().registerService(BlockingQueue.class.getName(), RECEIVED, props);
        String imports = "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device;version=\"[1.1,2)\"";
        byte[] witnessJar = RuntimeHarness.bundle("itest.cache.witness", new String[][] {
                { "Import-Package", imports }, { "Bundle-Activator", DeliveryProbeActivator.class.getName() } },
                DeliveryProbeActivator.class);
        witness = RUNTIME.context().installBundle(Launcher.CORE_LOCATION_PREFIX + "itest-cache-witness",
                new ByteArrayInputStream(witnessJar));
        witness.start();

        Map<String, String> headers = TestSigning.bundleHeaders(BSN);
        headers.put("Bundle-Activator", DeliveryProbeActivator.class.getName());
        headers.put("Import-Package", imports);
        String cls = DeliveryProbeActivator.class.getName().replace('.', '/') + ".class";
        byte[] code;
        try (InputStream in = DeliveryProbeActivator.class.getClassLoader().getResourceAsStream(cls)) {
            code = in.readAllBytes();
        }
        probeJar = TestSigning.sign(TestSigning.writeJar(WORK.resolve("probe-unsigned.jar"), headers,
                Map.of(cls, code)), WORK.resolve("probe.jar"), TestSigning.issue(CA, "ITest Cache Signer"));
        gogo = new Gogo(RUNTIME.context());
        RuntimeHarness.await("the installer configured", 30, () -> {
            var r = RUNTIME.context().getServiceReference("io.autoweave.plugin.installer.PluginInstaller");
            return r != null && TRUST.toString().equals(r.getProperty("trust.store.path"));
        });
    }

    @AfterClass
    public static void tearDown() throws Exception {
        gogo.close();
        witness.uninstall();
        queue.unregister();
    }

    private static Bundle probe() {
        for (Bundle b : RUNTIME.context().getBundles()) {
            if (BSN.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private static long metric(String name) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Long> m = (Map<String, Long>) gogo.run("aw:pipeline");
        return m.get(name);
    }

    /** Attaches a new 046d device; returns its serial once the core witness received it (the event was dispatched). */
    private static String attach() throws Exception {
        String s = "CACHE-" + (++serial);
        gogo.run("aw:simulate attach 046d:c52b " + s + " 7-" + serial);
        awaitDelivery("itest.cache.witness", s);
        return s;
    }

    private static synchronized boolean received(String bundle, String serial) {
        RECEIVED.drainTo(SEEN);
        return SEEN.stream().anyMatch(m -> bundle.equals(m.get("bundle")) && serial.equals(m.get("serial")));
    }

    private static void awaitDelivery(String bundle, String serial) throws InterruptedException {
        RuntimeHarness.await(bundle + " receiving " + serial, 15, () -> received(bundle, serial));
    }

    @Test
    public void policyReloadsBlocksUnblocksAndUninstallsTakeEffectForTheVeryNextEvent() throws Exception {
        gogo.run("aw:install " + probeJar + " high");
        assertEquals(Bundle.ACTIVE, probe().getState());
        awaitDelivery(BSN, attach());
        String again = attach(); // answered from the cache now
        awaitDelivery(BSN, again);
        assertTrue("the plugin's answer is cached", metric("listeners.permission_answers_cached") >= 1);

        // revoke by policy reload: the first event after the reload is withheld, not one later
        long withheld = metric("listeners.withheld_by_permission");
        gogo.run("aw:policy-reload"); // nothing changed yet: the cache stays
        Files.writeString(POLICIES.resolve("20-itest-deny.policy"), DENY_046D);
        assertTrue(String.valueOf(gogo.run("aw:policy-reload")).contains("itest-deny-046d"));
        String revoked = attach();
        RuntimeHarness.await("the first event after the reload withheld", 15, () -> {
            try {
                return metric("listeners.withheld_by_permission") == withheld + 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertFalse("withheld, so never delivered", received(BSN, revoked));

        // grant again: the very next event is delivered
        Files.delete(POLICIES.resolve("20-itest-deny.policy"));
        gogo.run("aw:policy-reload");
        awaitDelivery(BSN, attach());
        assertEquals(withheld + 1, metric("listeners.withheld_by_permission"));

        // block: every permission is revoked before aw:block returns (the stop follows asynchronously)
        UsbPermission see046d = new UsbPermission("vendor=046d", "monitor");
        assertTrue(probe().hasPermission(see046d));
        long registered = metric("listeners.registered");
        gogo.run("aw:block " + BSN + " itest");
        assertFalse("revoked when aw:block returns", probe().hasPermission(see046d));
        String whileBlocked = attach();
        attach(); // a whole later event dispatched: the blocked one was withheld or had no listener left
        assertFalse(received(BSN, whileBlocked));
        RuntimeHarness.await("the blocked plugin stopped", 15, () -> probe().getState() != Bundle.ACTIVE);
        gogo.run("aw:unblock " + BSN);
        assertTrue("granted again when aw:unblock returns", probe().hasPermission(see046d));
        probe().start();
        awaitDelivery(BSN, attach());

        // uninstall: likewise
        gogo.run("aw:uninstall " + BSN);
        assertEquals("the uninstalled plugin's listener is gone at once", registered - 1,
                metric("listeners.registered"));
        String afterUninstall = attach();
        attach();
        assertFalse(received(BSN, afterUninstall));
    }
}
