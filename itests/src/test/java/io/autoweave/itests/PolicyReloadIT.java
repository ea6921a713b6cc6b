package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

import io.autoweave.itests.probe.PropertyProbe;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * The policy directory is live: a row added, broken and removed while a plugin runs changes what the plugin may do
 * at its next permission check, without a restart; a broken file keeps the rows in force and says which file and
 * line; every reload and refusal is audited; aw:policy shows each row with its file and line.
 */
public class PolicyReloadIT {
    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-policy-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave ITest Policy CA");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("truststore.p12"), PASSWORD.toCharArray(),
            CA.certificate());
    private static final Path POLICIES = RuntimeHarness.policyDir(Map.of());
    private static final String BSN = "itest.policy.probe";
    private static final String GRANT = "# lets the probe read one more property\n"
            + "ALLOW {\n"
            + "  [org.osgi.service.condpermadmin.BundleLocationCondition \"plugin:medium/" + BSN + "\"]\n"
            + "  (java.util.PropertyPermission \"user.home\" \"read\")\n"
            + "} \"itest-user-home\"\n";

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness().policies(POLICIES)
            .config("io.autoweave.plugin.installer.cfg", "trust.store.path=" + TRUST + "\n.trust.store.password="
                    + PASSWORD + "\n")
            // the probe's denials are the point here, not a reason to block it
            .config("io.autoweave.security.cfg", "medium.block.after.violations=0\n");

    private static Object probeService(Gogo g) throws Exception {
        Map<String, String> headers = TestSigning.bundleHeaders(BSN);
        headers.put("Bundle-Activator", PropertyProbe.class.getName());
        headers.put("Import-Package", "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device");
        String cls = PropertyProbe.class.getName().replace('.', '/') + ".class";
        byte[] code;
        try (InputStream in = PropertyProbe.class.getClassLoader().getResourceAsStream(cls)) {
            code = in.readAllBytes();
        }
        Path jar = TestSigning.sign(TestSigning.writeJar(WORK.resolve("probe-unsigned.jar"), headers, Map.of(cls, code)),
                WORK.resolve("probe.jar"), TestSigning.issue(CA, "ITest Policy Signer"));
        RuntimeHarness.await("the installer configured", 30, () -> {
            ServiceReference<?> r = RUNTIME.context().getServiceReference(
                    "io.autoweave.plugin.installer.PluginInstaller");
            return r != null && TRUST.toString().equals(r.getProperty("trust.store.path"));
        });
        g.run("aw:install " + jar + " medium");
        Bundle b = null;
        for (Bundle x : RUNTIME.context().getBundles()) {
            if (BSN.equals(x.getSymbolicName())) {
                b = x;
            }
        }
        assertEquals(Bundle.ACTIVE, b.getState());
        ServiceReference<?>[] refs = b.getRegisteredServices();
        return RUNTIME.context().getService(refs[0]);
    }

    private static String audit(Gogo g, String filter) {
        try {
            return String.valueOf(g.run("aw:audit '" + filter + "'"));
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Polls the audit log until a record matching {@code filter} contains {@code text}; fails with the last answer. */
    private static void awaitAudit(Gogo g, String filter, String text) throws InterruptedException {
        String[] last = { "" };
        try {
            RuntimeHarness.await("an audit record " + filter + " saying '" + text + "'", 20,
                    () -> (last[0] = audit(g, filter)).contains(text));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the audit log answered: " + last[0], e);
        }
    }

    @Test
    public void aRowAddedBrokenAndRemovedWhileThePluginRunsChangesWhatItMayDo() throws Exception {
        try (Gogo g = new Gogo(RUNTIME.context())) {
            RuntimeHarness.await("the policy commands", 30, () -> {
                try {
                    return String.valueOf(g.run("aw:policy")).contains(POLICIES.toString());
                } catch (Exception e) {
                    return false;
                }
            });
            String shown = String.valueOf(g.run("aw:policy medium"));
            assertTrue(shown, shown.contains("plugins-medium") && shown.contains("50-plugins.policy:")
                    && shown.contains("deny-everything-else") && !shown.contains("plugins-high"));
            Object probe = probeService(g);
            assertEquals("user.home denied", probe.toString());

            Path file = POLICIES.resolve("55-itest.policy");
            Files.writeString(file, GRANT);
            RuntimeHarness.await("the added row in force", 20, () -> probe.toString().equals("user.home allowed"));
            // the table is committed before the reload is audited (fsync): wait for the record, not just the effect
            awaitAudit(g, "decision=policy-reloaded", "added or changed: itest-user-home");
            shown = String.valueOf(g.run("aw:policy medium"));
            assertTrue(shown, shown.contains("itest-user-home") && shown.contains("55-itest.policy:2"));

            Files.writeString(file, GRANT + "\nALLOW {\n  (java.util.PropertyPermission \"user.dir\" \"read\"\n"
                    + "} \"itest-broken\"\n");
            RuntimeHarness.await("the broken file refused and audited", 20,
                    () -> audit(g, "decision=policy-reload-refused").contains("55-itest.policy line 7: invalid policy row"));
            assertEquals("the rows in force stay", "user.home allowed", probe.toString());
            shown = String.valueOf(g.run("aw:policy"));
            assertTrue(shown, shown.contains("LAST RELOAD REFUSED") && shown.contains("55-itest.policy line 7"));
            try {
                g.run("aw:policy-reload");
                fail("a broken policy reloaded");
            } catch (Exception e) {
                assertTrue(e.toString(), e.getMessage().contains("55-itest.policy line 7"));
            }

            Files.delete(file);
            RuntimeHarness.await("the removed row out of force", 20, () -> probe.toString().equals("user.home denied"));
            assertTrue(String.valueOf(g.run("aw:policy-reload")).startsWith("no change: "));
            awaitAudit(g, "decision=policy-reloaded", "removed or changed: itest-user-home");
            g.run("aw:uninstall " + BSN);
        }
    }
}
