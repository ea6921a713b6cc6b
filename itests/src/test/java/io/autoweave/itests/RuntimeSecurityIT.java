package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;

import io.autoweave.itests.probe.ProbeActivator;
import io.autoweave.launcher.Launcher;

/** The runtime as the launcher boots it: every core bundle up, security on, the policy in force. */
public class RuntimeSecurityIT {

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    private static final String[][] PROBE_HEADERS = {
            { "Import-Package", "org.osgi.framework;version=\"[1.8,2)\"" },
            { "Bundle-Activator", ProbeActivator.class.getName() } };

    @Test
    public void everyCoreBundleIsActive() {
        List<String> problems = new ArrayList<>();
        int core = 0;
        for (Bundle b : RUNTIME.context().getBundles()) {
            if (!b.getLocation().startsWith(Launcher.CORE_LOCATION_PREFIX)) {
                continue;
            }
            core++;
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            // resolve-only bundles of the bundle set (gogo.jline: its classes, never its activator) are resolved
            boolean resolveOnly = !b.adapt(org.osgi.framework.startlevel.BundleStartLevel.class).isPersistentlyStarted();
            if (fragment || resolveOnly) {
                if (b.getState() != Bundle.RESOLVED && b.getState() != Bundle.ACTIVE) {
                    problems.add(b.getSymbolicName() + " (resolve only) state " + b.getState());
                }
            } else if (b.getState() != Bundle.ACTIVE) {
                problems.add(b.getSymbolicName() + " state " + b.getState());
            }
        }
        assertTrue("too few core bundles: " + core, core >= 20);
        assertTrue("not active: " + problems, problems.isEmpty());
    }

    @Test
    public void aSecurityManagerIsInstalled() {
        assertNotNull(System.getSecurityManager());
        assertEquals("osgi", RUNTIME.context().getProperty(Constants.FRAMEWORK_SECURITY));
    }

    @Test
    public void conditionalPermissionAdminHoldsThePolicyRowsInOrder() throws Exception {
        List<String> names = RUNTIME.policyRowNames();
        assertEquals("core-bundles", names.get(0));
        assertEquals("the final row denies everything else", "deny-everything-else", names.get(names.size() - 1));
    }

    @Test
    public void anUnsignedBundleWithoutGrantsCannotResolve() throws Exception {
        byte[] jar = RuntimeHarness.bundle("itest.unsigned", PROBE_HEADERS, ProbeActivator.class);
        Bundle b = RUNTIME.context().installBundle("test:unsigned/probe", new ByteArrayInputStream(jar));
        try {
            b.start();
            fail("an unsigned bundle with no permissions started");
        } catch (BundleException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("missing requirement")
                    || e.getMessage().contains("Unable to resolve"));
        }
        assertEquals(Bundle.INSTALLED, b.getState());
        assertEquals(null, System.getProperty("autoweave.itest.probe." + b.getBundleId()));
        b.uninstall();
    }

    @Test
    public void aBundleGrantedAllPermissionByLocationStartsAndRuns() throws Exception {
        byte[] jar = RuntimeHarness.bundle("itest.trusted", PROBE_HEADERS, ProbeActivator.class);
        Bundle b = RUNTIME.context().installBundle(Launcher.CORE_LOCATION_PREFIX + "itest-probe",
                new ByteArrayInputStream(jar));
        try {
            b.start();
            assertEquals(Bundle.ACTIVE, b.getState());
            assertNotNull("the activator ran with its permissions",
                    System.getProperty("autoweave.itest.probe." + b.getBundleId()));
        } finally {
            b.uninstall();
        }
    }

    @Test
    public void healthIsOpenButSaysOnlyUpOrDown() throws Exception {
        RuntimeHarness.Response live = RUNTIME.get("/health/live", null, null);
        RuntimeHarness.Response ready = RUNTIME.get("/health/ready", null, null);
        assertEquals(200, live.status());
        assertEquals(200, ready.status());
        assertEquals("{\"status\":\"UP\"}", ready.body());
    }

    @Test
    public void webConsoleRefusesMissingAndDefaultCredentials() throws Exception {
        assertEquals(401, RUNTIME.get("/system/console/bundles", null, null).status());
        assertEquals(401, RUNTIME.get("/system/console/bundles", "admin", "admin").status());
        assertEquals(401, RUNTIME.get("/system/console/bundles", "admin", RuntimeHarness.ADMIN_PASSWORD + "x").status());
        assertEquals(401, RUNTIME.get("/system/console/bundles", "root", RuntimeHarness.ADMIN_PASSWORD).status());
    }

    @Test
    public void webConsoleAcceptsTheConfiguredCredentials() throws Exception {
        RuntimeHarness.Response r = RUNTIME.get("/system/console/bundles", "admin", RuntimeHarness.ADMIN_PASSWORD);
        assertEquals(200, r.status());
        assertTrue(r.body().contains("org.apache.felix.framework") || r.body().contains("Bundles"));
    }

    @Test
    public void aConfiguredPasswordIsNeverPrintedNorGeneratedOne() {
        String text = RUNTIME.consoleText();
        assertFalse(text.contains(RuntimeHarness.ADMIN_PASSWORD));
        assertFalse("no password is generated when one is configured", text.contains("generated the administrator"));
        assertNotEquals(-1L, RUNTIME.launcher().readyMillis());
    }
}
