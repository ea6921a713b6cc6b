package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import io.autoweave.itests.hostile.ResourceHogActivator;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * The resource enforcer against hostile plugins ({@link ResourceHogActivator}) in the real runtime, security on:
 * a CPU burner, an allocation hog, a thread bomb, a listener that hangs and one that is slow are each detected and
 * handled per level (low: a warning violation and nothing else; medium: its events shed, or, when unresponsive,
 * stopped; high: stopped and blocked), each within {@link #BOUND_SECONDS}; a well-behaved plugin installed
 * alongside receives every event throughout, with nothing dropped or shed.
 *
 * <p>The limits are set low for the test (below): CPU 0.2 core (0.05 for the burners, through per-plugin overrides,
 * so a loaded build machine still gives them more) and 50 MB/s over a 1 s window sampled every 100 ms,
 * 4 threads, 500 ms call time-out plus 500 ms grace, queue 3. Detection then takes at most a window plus two
 * samples (1.2 s) for CPU and allocation, one sample for threads and queue, time-out plus a sample for a hang's
 * interrupt and another grace plus a sample for it to count as unresponsive (about 1.7 s). The assertions allow
 * {@link #BOUND_SECONDS} because the build machine is shared; the measured times are printed.
 */
public class ResourceLimitsIT {

    static final int BOUND_SECONDS = 10;
    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-resources-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave Resources ITest CA");
    private static final TestSigning.Credentials SIGNER = TestSigning.issue(CA, "Resources ITest Signer");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("plugins-truststore.p12"),
            PASSWORD.toCharArray(), CA.certificate());
    private static final String POLITE = "itest.hog.polite";
    private static final AtomicInteger SERIALS = new AtomicInteger();
    private static final List<String> TIMINGS = new ArrayList<>();

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.plugin.installer.cfg", "trust.store.path=" + TRUST + "\n.trust.store.password="
                    + PASSWORD + "\n")
            // permission denials must not block anything here: only the resource enforcer acts
            .config("io.autoweave.security.cfg", "high.block.after.violations=0\nmedium.block.after.violations=0\n"
                    + "lockdown.after.blocks=0\n")
            // the .config format (typed values, arrays): the overrides are an array
            .config("io.autoweave.resources.config", String.join("\n", "sample.millis=\"100\"",
                    "window.millis=\"1000\"", "low.cpu.share=\"0.2\"", "medium.cpu.share=\"0.2\"",
                    "high.cpu.share=\"0.2\"", "low.alloc.mb.per.s=\"50\"", "medium.alloc.mb.per.s=\"50\"",
                    "high.alloc.mb.per.s=\"50\"", "low.max.threads=\"4\"", "medium.max.threads=\"4\"",
                    "high.max.threads=\"4\"", "low.call.timeout.millis=\"500\"", "medium.call.timeout.millis=\"500\"",
                    "high.call.timeout.millis=\"500\"", "low.max.queue=\"3\"", "medium.max.queue=\"3\"",
                    "high.max.queue=\"3\"", "interrupt.grace.millis=\"500\"", "throttle.millis=\"3000\"",
                    "recycle.after.calls=\"5\"",
                    // the shared build machine may run at a load of 10 on 2 cores: a burner then gets ~0.15 core
                    "overrides=[\"itest.hog.burner.low cpu=0.05\",\"itest.hog.burner.medium cpu=0.05\","
                            + "\"itest.hog.burner.high cpu=0.05\"]", ""));

    // ---- reflection helpers (the runtime's classes live in the framework) -------------------------------------------

    /**
     * A runtime service by class name. All references, not only the assignable ones: the API classes are also on the
     * test class path, so for the system bundle an API-typed service would not count as assignable.
     */
    private static Object service(String type, String filterKey, String expected) throws Exception {
        BundleContext ctx = RUNTIME.context();
        String filter = filterKey == null ? null : "(" + filterKey + "=" + expected + ")";
        RuntimeHarness.await(type + " configured for the test", 30, () -> call(() -> ctx.getAllServiceReferences(
                type, filter) != null));
        return ctx.getService(ctx.getAllServiceReferences(type, filter)[0]);
    }

    private static Object installer() throws Exception {
        return service("io.autoweave.plugin.installer.PluginInstaller", "trust.store.path", TRUST.toString());
    }

    private static Object monitor() throws Exception {
        return service("io.autoweave.security.SecurityMonitor", "lockdown.after.blocks", "0");
    }

    private static Object enforcer() throws Exception {
        return service("io.autoweave.resources.internal.ResourceEnforcer", "sample.millis", "100");
    }

    private static Bundle install(String bsn, String level) throws Exception {
        Map<String, String> headers = TestSigning.bundleHeaders(bsn);
        headers.put("Bundle-Activator", ResourceHogActivator.class.getName());
        headers.put("Import-Package", "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device");
        String cls = ResourceHogActivator.class.getName().replace('.', '/') + ".class";
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = ResourceHogActivator.class.getClassLoader().getResourceAsStream(cls)) {
            entries.put(cls, in.readAllBytes());
        }
        Path jar = TestSigning.sign(TestSigning.writeJar(WORK.resolve(bsn + "-unsigned.jar"), headers, entries),
                WORK.resolve(bsn + ".jar"), SIGNER);
        Object svc = installer();
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Object lvl = Enum.valueOf((Class) Class.forName("io.autoweave.api.plugin.SecurityLevel", false,
                svc.getClass().getClassLoader()), level.toUpperCase());
        Map<String, Object> p = Reflect.fields(Reflect.invoke(svc, "install", jar.toString(), lvl));
        Bundle b = RUNTIME.context().getBundle((Long) p.get("bundleId"));
        // a high-level hog may be blocked before the installer returns
        RuntimeHarness.await(bsn + " active", 20, () -> b.getState() == Bundle.ACTIVE || call(() -> blocked(bsn)));
        return b;
    }

    private static List<Map<String, Object>> violations(String bsn) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object v : (List<?>) Reflect.invoke(monitor(), "violations", bsn)) {
            out.add(Reflect.fields(v));
        }
        return out;
    }

    /** The dispatcher's figures of a bundle's listener worker (null if it has none now). */
    private static Map<String, Object> worker(Bundle b) throws Exception {
        Object workers = service("io.autoweave.api.plugin.PluginWorkers", null, null);
        for (Object f : (List<?>) Reflect.invoke(workers, "figures")) {
            Map<String, Object> m = Reflect.fields(f);
            if (((Long) m.get("bundleId")) == b.getBundleId()) {
                return m;
            }
        }
        return null;
    }

    private static boolean blocked(String bsn) throws Exception {
        return (Boolean) Reflect.invoke(monitor(), "isBlocked", bsn);
    }

    /** Reports {@code n} attach events of distinct devices through the shell. */
    private static void events(Gogo gogo, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            int s = SERIALS.incrementAndGet();
            gogo.run("aw:simulate attach 1d50:6089 HOG-" + s + " 9-" + s);
        }
    }

    /** Waits for a violation of the given rule; returns the seconds it took from {@code since}. */
    private static double awaitRule(String bsn, String rule, long since) throws Exception {
        RuntimeHarness.await(bsn + " violation " + rule, BOUND_SECONDS, () -> call(() -> violations(bsn).stream()
                .anyMatch(v -> rule.equals(v.get("rule")))));
        double s = (System.nanoTime() - since) / 1e9;
        synchronized (TIMINGS) {
            TIMINGS.add(String.format("%-28s %-40s %.2f s", bsn, rule, s));
        }
        return s;
    }

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

    @After
    public void uninstallPlugins() throws Exception {
        for (Object bsn : ((Map<?, ?>) Reflect.invoke(monitor(), "blocked")).keySet()) {
            Reflect.invoke(monitor(), "unblock", bsn, "test clean-up");
        }
        for (Bundle b : RUNTIME.context().getBundles()) {
            if (b.getLocation().startsWith("plugin:")) {
                try {
                    Reflect.invoke(installer(), "uninstall", b.getSymbolicName());
                } catch (Exception e) {
                    // gone already
                }
            }
        }
    }

    @AfterClass
    public static void printTimings() {
        System.out.println("[resources-it] detection times (asserted bound " + BOUND_SECONDS + " s):");
        TIMINGS.forEach(t -> System.out.println("[resources-it]   " + t));
    }

    // ---- the per-level behaviour, one hostile kind at a time -------------------------------------------------------

    /**
     * Installs the hostile plugin at each level next to the polite one, drives {@code eventsPerLevel} events and
     * checks the level's outcome for {@code kind}; the polite plugin must get every event.
     */
    private void perLevel(String behaviour, String kind, int eventsPerLevel, String mediumAction) throws Exception {
        perLevel(behaviour, kind, kind, eventsPerLevel, mediumAction);
    }

    /** As above; at high the plugin is blocked on {@code highKind}, the first breach it makes. */
    private void perLevel(String behaviour, String kind, String highKind, int eventsPerLevel, String mediumAction)
            throws Exception {
        monitor();
        enforcer();
        Bundle polite = install(POLITE, "medium");
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            int sent = 0;
            for (String level : new String[] { "low", "medium", "high" }) {
                String bsn = "itest.hog." + behaviour + "." + level;
                long t0 = System.nanoTime();
                Bundle hog = install(bsn, level);
                events(gogo, eventsPerLevel);
                sent += eventsPerLevel;
                switch (level) {
                    case "low":
                        awaitRule(bsn, "resource:" + kind + ":low:warn", t0);
                        assertFalse(blocked(bsn));
                        assertEquals("warned only: still running", Bundle.ACTIVE, hog.getState());
                        break;
                    case "medium":
                        awaitRule(bsn, "resource:" + kind + ":medium:" + mediumAction, t0);
                        assertFalse(blocked(bsn));
                        if (mediumAction.equals("stop")) {
                            RuntimeHarness.await(bsn + " force-stopped", BOUND_SECONDS,
                                    () -> hog.getState() == Bundle.RESOLVED);
                        } else {
                            events(gogo, 2); // inside the throttle period: shed for the hog only
                            sent += 2;
                            RuntimeHarness.await(bsn + " events shed", BOUND_SECONDS, () -> call(() -> {
                                Map<String, Object> w = worker(hog);
                                return w != null && (Long) w.get("shed") >= 1;
                            }));
                            assertEquals(Bundle.ACTIVE, hog.getState());
                        }
                        break;
                    default:
                        awaitRule(bsn, "resource:" + highKind + ":high:block", t0);
                        RuntimeHarness.await(bsn + " blocked and stopped", BOUND_SECONDS,
                                () -> call(() -> blocked(bsn)) && hog.getState() == Bundle.INSTALLED);
                        break;
                }
                List<Map<String, Object>> vs = violations(bsn);
                String k = level.equals("high") ? highKind : kind;
                assertTrue(vs.toString(), vs.stream().anyMatch(v -> String.valueOf(v.get("permission"))
                        .startsWith("(resource \"" + k + "\"") && level.toUpperCase().equals(v.get("level"))));
                Reflect.invoke(installer(), "uninstall", bsn);
                if (blocked(bsn)) {
                    Reflect.invoke(monitor(), "unblock", bsn, "next level");
                }
            }
            int expected = sent;
            RuntimeHarness.await("the polite plugin got all " + expected + " events", BOUND_SECONDS,
                    () -> call(() -> (Long) worker(polite).get("calls") == expected));
            Map<String, Object> w = worker(polite);
            assertEquals("nothing dropped for the polite plugin: " + w, 0L, w.get("dropped"));
            assertEquals("nothing shed for the polite plugin: " + w, 0L, w.get("shed"));
            assertEquals(List.of(), violations(POLITE));
            assertEquals(Bundle.ACTIVE, polite.getState());
            String resources = String.valueOf(gogo.run("aw:resources"));
            assertTrue(resources, resources.contains(POLITE));
        }
    }

    @Test
    public void aCpuBurnerIsWarnedAtLowThrottledAtMediumBlockedAtHigh() throws Exception {
        perLevel("burner", "cpu", 3, "throttle");
    }

    @Test
    public void anAllocationHogIsWarnedAtLowThrottledAtMediumBlockedAtHigh() throws Exception {
        perLevel("alloc", "alloc", 3, "throttle");
    }

    @Test
    public void aThreadBombIsWarnedAtLowThrottledAtMediumBlockedAtHigh() throws Exception {
        perLevel("bomb", "threads", 3, "throttle");
    }

    @Test
    public void aHangingListenerIsInterruptedThenAbandonedAndWarnedAtLowStoppedAtMediumBlockedAtHigh()
            throws Exception {
        perLevel("hang", "unresponsive", "call-timeout", 2, "stop");
        List<Map<String, Object>> low = violations("itest.hog.hang.low");
        assertTrue("the time-out came first: " + low, low.stream()
                .anyMatch(v -> "resource:call-timeout:low:warn".equals(v.get("rule"))));
    }

    @Test
    public void aSlowListenerOverflowsOnlyItsOwnQueueWarnedAtLowShedAtMediumBlockedAtHigh() throws Exception {
        perLevel("slow", "queue", 8, "throttle");
    }

    @Test
    public void limitsAndLiveFiguresAreShownPerPluginAndWorkersAreRecycledAfterNCalls() throws Exception {
        monitor();
        enforcer();
        Bundle polite = install(POLITE, "high");
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            for (int round = 1; round <= 2; round++) {
                events(gogo, 6);
                int calls = 6 * round;
                int recycled = round;
                RuntimeHarness.await(calls + " calls", BOUND_SECONDS,
                        () -> call(() -> (Long) worker(polite).get("calls") == calls));
                RuntimeHarness.await("recycled after 5 calls", BOUND_SECONDS,
                        () -> call(() -> (Long) worker(polite).get("recycled") == recycled));
            }
            assertEquals(0L, worker(polite).get("abandoned"));
            String limits = String.valueOf(gogo.run("aw:limits"));
            assertTrue(limits, limits.contains(POLITE) && limits.contains("(default)"));
            String one = String.valueOf(gogo.run("aw:limits " + POLITE));
            assertTrue(one, one.contains("installed at high") && one.contains("call time-out 500 ms"));
            install("itest.hog.burner.low", "low");
            String overridden = String.valueOf(gogo.run("aw:limits itest.hog.burner.low"));
            assertTrue(overridden, overridden.contains("with its override: cpu 0.05 cores"));
            assertTrue(String.valueOf(gogo.run("aw:limits")).contains("override itest.hog.burner.low"));
            // the enforcer samples every 250 ms: wait until a sample has seen all 12 calls, not just the plugin
            String[] figures = { "" };
            RuntimeHarness.await("figures sampled after the 12 calls", BOUND_SECONDS, () -> call(() -> {
                figures[0] = String.valueOf(gogo.run("aw:resources " + POLITE));
                return figures[0].contains(" 12 ");
            }));
            assertTrue(figures[0], figures[0].contains("cpu%") && figures[0].contains("p99 ms"));
            assertNotEquals(Bundle.INSTALLED, polite.getState());
            // the burner was installed a moment ago: its series appears with the enforcer's next sample
            RuntimeHarness.Response[] metrics = { null };
            RuntimeHarness.await("the /metrics series of both plugins", BOUND_SECONDS, () -> call(() -> {
                metrics[0] = RUNTIME.get("/metrics", "admin", RuntimeHarness.ADMIN_PASSWORD);
                return metrics[0].status() == 200 && metrics[0].body().contains("autoweave_plugin_calls_total{plugin=\""
                        + POLITE + "\",level=\"high\"} 12") && metrics[0].body().contains(
                                "autoweave_plugin_cpu_cores{plugin=\"itest.hog.burner.low\"");
            }));
        }
    }
}
