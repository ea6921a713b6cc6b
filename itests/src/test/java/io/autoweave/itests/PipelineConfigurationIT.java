package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;

import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** The USB pipeline's typed configuration in the real runtime: a bad rule stops it loudly, a fixed one restarts it. */
public class PipelineConfigurationIT {

    private static final String PID = "io.autoweave.usb.pipeline";
    private static final String COMPONENT = "io.autoweave.usb.pipeline.internal.PipelineComponent";
    /** Everything written to System.err (slf4j-simple's target), captured before the runtime starts. */
    private static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();

    static {
        PrintStream original = System.err;
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public synchronized void write(int b) {
                original.write(b);
                ERR.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                ERR.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
    }

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    @Test
    public void aBadRuleFailsThePipelineWithLineAndColumnInTheLogAndReadinessUntilItIsFixed() throws Exception {
        Hashtable<String, Object> bad = new Hashtable<>();
        bad.put("rules", new String[] { "allow id 046d:*", "block id 46d:c52b" });
        configure(bad);
        String expected = "invalid configuration io.autoweave.usb.pipeline: rules: line 2, column 10: "
                + "expected vendor:product like 046d:c52b or 046d:*, found '46d'";
        RuntimeHarness.await("the component's activation failure", 20,
                () -> failure() != null && failure().contains("IllegalArgumentException: " + expected));
        RuntimeHarness.await("the log line", 5, () -> ERR.toString(StandardCharsets.UTF_8)
                .contains("USB pipeline not started: " + expected));
        assertEquals(503, RUNTIME.get("/health/ready", null, null).status());
        // SCR keeps the service registered, but nobody gets a pipeline object while the configuration is bad
        ServiceReference<?>[] sinks = RUNTIME.context()
                .getAllServiceReferences("io.autoweave.api.source.DeviceReportSink", null);
        if (sinks != null) {
            assertNull(RUNTIME.context().getService(sinks[0]));
        }

        Hashtable<String, Object> good = new Hashtable<>();
        good.put("rules", new String[] { "allow id 046d:*", "block id 046d:c52b" });
        configure(good);
        RuntimeHarness.await("the pipeline back", 20, () -> {
            try {
                return RUNTIME.context().getAllServiceReferences("io.autoweave.api.source.DeviceReportSink", null) != null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        RuntimeHarness.await("ready again", 20, () -> {
            try {
                return RUNTIME.get("/health/ready", null, null).status() == 200;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    public void theInstanceIdIsGeneratedOnceAndKeptInTheDataDirectory() throws Exception {
        String id = Files.readString(RUNTIME.dataDir().resolve("instance-id")).trim();
        assertTrue(id, id.matches("[0-9a-f-]{36}"));
    }

    /** Updates the pipeline's configuration through ConfigurationAdmin (reflectively: its API is inside the framework). */
    private static void configure(Dictionary<String, Object> properties) throws Exception {
        ServiceReference<?> ref = RUNTIME.context().getServiceReference("org.osgi.service.cm.ConfigurationAdmin");
        Object cm = RUNTIME.context().getService(ref);
        try {
            ClassLoader api = cm.getClass().getClassLoader();
            Class<?> cmType = Class.forName("org.osgi.service.cm.ConfigurationAdmin", false, api);
            Class<?> configType = Class.forName("org.osgi.service.cm.Configuration", false, api);
            Object config = cmType.getMethod("getConfiguration", String.class, String.class).invoke(cm, PID, "?");
            configType.getMethod("update", Dictionary.class).invoke(config, properties);
        } finally {
            RUNTIME.context().ungetService(ref);
        }
    }

    /** The {@code failure} (a stack trace) of the pipeline component, from ServiceComponentRuntime DTOs, or null. */
    private static String failure() {
        ServiceReference<?> ref = RUNTIME.context()
                .getServiceReference("org.osgi.service.component.runtime.ServiceComponentRuntime");
        Object scr = RUNTIME.context().getService(ref);
        try {
            ClassLoader api = scr.getClass().getClassLoader();
            Class<?> scrType = Class.forName("org.osgi.service.component.runtime.ServiceComponentRuntime", false, api);
            Class<?> descType = Class.forName("org.osgi.service.component.runtime.dto.ComponentDescriptionDTO", false, api);
            Collection<?> descriptions = (Collection<?>) scrType.getMethod("getComponentDescriptionDTOs", Bundle[].class)
                    .invoke(scr, (Object) Array.newInstance(Bundle.class, 0));
            Method configs = scrType.getMethod("getComponentConfigurationDTOs", descType);
            for (Object d : descriptions) {
                if (COMPONENT.equals(descType.getField("name").get(d))) {
                    for (Object c : (Collection<?>) configs.invoke(scr, d)) {
                        Object failure = c.getClass().getField("failure").get(c);
                        if (failure != null) {
                            return failure.toString();
                        }
                    }
                }
            }
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        } finally {
            RUNTIME.context().ungetService(ref);
        }
    }
}
