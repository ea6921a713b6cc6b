package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import io.autoweave.itests.hostile.ResourceHogActivator;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * Heap pressure in the real runtime: with the heap threshold at 1 % (of a multi-GB test heap), a plugin that keeps
 * 256 MB reachable and goes on allocating is charged with the pressure a full collection reveals (its level's
 * action: medium sheds its events), and a plugin allocating nothing is not. Allocation and CPU limits are set out of
 * reach so the heap breach is the only one. A class of its own: the threshold is JVM-wide.
 */
public class HeapPressureIT {

    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-heap-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave Heap ITest CA");
    private static final TestSigning.Credentials SIGNER = TestSigning.issue(CA, "Heap ITest Signer");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("plugins-truststore.p12"),
            PASSWORD.toCharArray(), CA.certificate());

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.plugin.installer.cfg", "trust.store.path=" + TRUST + "\n.trust.store.password="
                    + PASSWORD + "\n")
            .config("io.autoweave.resources.cfg", String.join("\n", "sample.millis=100", "window.millis=1000",
                    "heap.threshold.percent=1", "medium.alloc.mb.per.s=1000000", "medium.cpu.share=64", ""));

    private static Object service(String type, String filter) throws Exception {
        BundleContext ctx = RUNTIME.context();
        RuntimeHarness.await(type, 30, () -> {
            try {
                return ctx.getAllServiceReferences(type, filter) != null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return ctx.getService(ctx.getAllServiceReferences(type, filter)[0]);
    }

    private static Bundle install(String bsn) throws Exception {
        Map<String, String> headers = TestSigning.bundleHeaders(bsn);
        headers.put("Bundle-Activator", ResourceHogActivator.class.getName());
        headers.put("Import-Package", "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device");
        String cls = ResourceHogActivator.class.getName().replace('.', '/') + ".class";
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (var in = ResourceHogActivator.class.getClassLoader().getResourceAsStream(cls)) {
            entries.put(cls, in.readAllBytes());
        }
        Path jar = TestSigning.sign(TestSigning.writeJar(WORK.resolve(bsn + "-unsigned.jar"), headers, entries),
                WORK.resolve(bsn + ".jar"), SIGNER);
        Object installer = service("io.autoweave.plugin.installer.PluginInstaller",
                "(trust.store.path=" + TRUST + ")");
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Object lvl = Enum.valueOf((Class) Class.forName("io.autoweave.api.plugin.SecurityLevel", false,
                installer.getClass().getClassLoader()), "MEDIUM");
        Map<String, Object> p = Reflect.fields(Reflect.invoke(installer, "install", jar.toString(), lvl));
        return RUNTIME.context().getBundle((Long) p.get("bundleId"));
    }

    private static List<String> rules(String bsn) throws Exception {
        List<String> out = new ArrayList<>();
        for (Object v : (List<?>) Reflect.invoke(service("io.autoweave.security.SecurityMonitor", null), "violations", bsn)) {
            out.add(String.valueOf(Reflect.fields(v).get("rule")));
        }
        return out;
    }

    @Test
    public void heapPressureAfterACollectionIsChargedToTheTopAllocatorAndNobodyElse() throws Exception {
        service("io.autoweave.resources.internal.ResourceEnforcer", "(heap.threshold.percent=1)");
        Bundle polite = install("itest.hog.polite");
        Bundle hog = install("itest.hog.retain");
        RuntimeHarness.await("both running", 20, () -> polite.getState() == Bundle.ACTIVE
                && hog.getState() == Bundle.ACTIVE);
        Thread.sleep(1500); // a full window of allocation figures
        long t0 = System.nanoTime();
        long gcAt = 0;
        while (!rules("itest.hog.retain").contains("resource:heap:medium:throttle")) {
            if (System.nanoTime() - t0 > ResourceLimitsIT.BOUND_SECONDS * 1_000_000_000L) {
                throw new AssertionError("no heap breach within " + ResourceLimitsIT.BOUND_SECONDS + " s: "
                        + rules("itest.hog.retain"));
            }
            if (System.nanoTime() - gcAt > 500_000_000L) {
                System.gc(); // a full collection updates the old generation's collection usage
                gcAt = System.nanoTime();
            }
            Thread.sleep(20);
        }
        System.out.printf("[heap-it] heap pressure charged after %.2f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(List.of(), rules("itest.hog.polite"));
        assertTrue("the only breach is the heap: " + rules("itest.hog.retain"), rules("itest.hog.retain").stream()
                .allMatch(r -> r.startsWith("resource:heap:")));
        hog.stop();
    }
}
