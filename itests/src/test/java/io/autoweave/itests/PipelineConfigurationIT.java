package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;

import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The USB pipeline's typed configuration in the real runtime: a change applies in place (connected devices stay, none
 * attaches again); a bad one is refused loudly with line and column and the running configuration stays.
 */
public class PipelineConfigurationIT {

    private static final String PID = "io.autoweave.usb.pipeline";
    private static final String COMPONENT = "io.autoweave.usb.pipeline.internal.PipelineComponent";
    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    @Test
    public void aChangeIsAppliedInPlaceKeepingConnectedDevicesAndABadOneIsRefusedWithLineAndColumn() throws Exception {
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            gogo.run("aw:simulate attach 046d:c52b CFG-1 5-1");
            Object sinkId = sinkServiceId();
            RuntimeHarness.await("CFG-1's attach committed to the event log", 20, () -> {
                try {
                    return newestSequence(gogo) >= 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long eventsBefore = newestSequence(gogo);

            Hashtable<String, Object> bad = new Hashtable<>();
            bad.put("rules", new String[] { "allow id 046d:*", "block id 46d:c52b" });
            configure(bad);
            String expected = "line 2, column 10: expected vendor:product like 046d:c52b or 046d:*, found '46d'; "
                    + "running on the previous configuration";
            RuntimeHarness.await("the refusal in the log", 20, () -> RUNTIME.logText()
                    .contains("configuration io.autoweave.usb.pipeline refused: rules=") && RUNTIME.logText()
                    .contains(expected));
            assertNull("the component did not fail", failure());
            assertEquals(200, RUNTIME.get("/health/ready", null, null).status());
            gogo.run("aw:simulate attach 0781:5567 CFG-2 5-2");
            assertTrue(String.valueOf(gogo.run("aw:devices")).contains("CFG-2"));

            Hashtable<String, Object> good = new Hashtable<>();
            good.put("rules", new String[] { "block id 046d:c52b serial \"CFG-3\"", "allow id 046d:*" });
            configure(good);
            RuntimeHarness.await("the change applied in place", 20, () -> RUNTIME.logText()
                    .contains("USB pipeline reconfigured in place"));
            assertEquals("the same component: not restarted", sinkId, sinkServiceId());
            String devices = String.valueOf(gogo.run("aw:devices"));
            assertTrue("connected devices stay: " + devices, devices.contains("CFG-1") && devices.contains("CFG-2"));
            RuntimeHarness.await("CFG-2's attach committed", 20, () -> {
                try {
                    return newestSequence(gogo) >= eventsBefore + 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals("no device attached again: only CFG-2's attach since", eventsBefore + 1,
                    newestSequence(gogo));
            gogo.run("aw:simulate attach 046d:c52b CFG-3 5-3");
            String after = String.valueOf(gogo.run("aw:devices 046d"));
            assertTrue("the new rule decides new attaches: " + after, after.matches("(?s).*CFG-3\\s+5-3\\s+00\\s+BLOCKED.*"));
            assertTrue(after, after.matches("(?s).*CFG-1\\s+5-1\\s+00\\s+allowed.*"));
        }
    }

    private static Object sinkServiceId() throws Exception {
        return RUNTIME.context().getAllServiceReferences("io.autoweave.api.source.DeviceReportSink", null)[0]
                .getProperty("service.id");
    }

    /** The newest seq in the event log. */
    private static long newestSequence(Gogo gogo) throws Exception {
        ServiceReference<?> ref = RUNTIME.context().getAllServiceReferences("io.autoweave.api.log.EventLog",
                null)[0];
        Object history = RUNTIME.context().getService(ref);
        try {
            return (Long) Class.forName("io.autoweave.api.log.EventLog", false, history.getClass().getClassLoader())
                    .getMethod("lastSeq").invoke(history);
        } finally {
            RUNTIME.context().ungetService(ref);
        }
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
