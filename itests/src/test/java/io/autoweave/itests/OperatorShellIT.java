package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.ClassRule;
import org.junit.Test;

/** The operator's shell commands (bundles/shell) through the real Gogo CommandProcessor in the real runtime. */
public class OperatorShellIT {

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    @Test
    public void devicesFilterDeviceShowsOneWatchFollowsAndHealthReports() throws Exception {
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            gogo.run("aw:simulate attach 046d:c52b SHELL-1 2-1");
            gogo.run("aw:simulate attach 0781:5567 SHELL-2 2-2");
            String logitech = String.valueOf(gogo.run("aw:devices 046d"));
            assertTrue(logitech, logitech.matches("(?s).*046d:c52b\\s+SHELL-1\\s+2-1\\s+00\\s+allowed.*"));
            assertTrue("the filter leaves the other vendor out: " + logitech, !logitech.contains("0781:5567"));
            String all = String.valueOf(gogo.run("aw:devices"));
            assertTrue(all, all.contains("SHELL-1") && all.contains("SHELL-2"));
            try {
                gogo.run("aw:devices 46d");
                fail("a malformed filter must be refused");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("e.g. 046d or 046d:c52b"));
            }

            Matcher m = Pattern.compile("SHELL-1\\s.*\\s([0-9a-f]{64})").matcher(logitech);
            assertTrue(logitech, m.find());
            // the history shows committed events only (durable first): the group commit may trail the registry
            String[] device = new String[1];
            RuntimeHarness.await("aw:device lists the committed attach", 15, () -> {
                device[0] = String.valueOf(run(gogo, "aw:device " + m.group(1)));
                return device[0].contains("recent events (1):");
            });
            assertTrue(device[0], device[0].contains("connected: 046d:c52b serial=SHELL-1")
                    && device[0].contains(" attach 046d:c52b serial=SHELL-1"));

            CompletableFuture<Object> watch = CompletableFuture.supplyAsync(() -> {
                try (Gogo other = new Gogo(RUNTIME.context())) {
                    return other.run("aw:watch -n 2 -t 30 '046d'");
                } catch (Exception e) {
                    return e;
                }
            });
            // the watch starts at the newest event when its thread gets there: keep making events until it saw two
            // matching ones (a loaded machine may start it late), the other vendor's in between
            gogo.run("aw:simulate detach 0781:5567 SHELL-2 2-2");
            for (int i = 0; i < 20 && !watch.isDone(); i++) {
                gogo.run("aw:simulate attach 0781:5567 SHELL-2 2-2"); // filtered out
                gogo.run("aw:simulate detach 0781:5567 SHELL-2 2-2");
                gogo.run("aw:simulate detach 046d:c52b SHELL-1 2-1");
                gogo.run("aw:simulate attach 046d:c52b SHELL-1 2-1");
                Thread.sleep(500);
            }
            assertEquals("watch stops after two matching events", "2 event(s) shown",
                    String.valueOf(watch.get(30, TimeUnit.SECONDS)));

            String health = String.valueOf(gogo.run("aw:health"));
            assertTrue(health, health.matches("(?s).*simulated\\s+RUNNING.*"));
            assertTrue("gauges of the bundles: " + health, health.contains("gauges:") && health.contains("autoweave_"));
        }
    }

    private static Object run(Gogo gogo, String command) {
        try {
            return gogo.run(command);
        } catch (Exception e) {
            throw new IllegalStateException(command + ": " + e, e);
        }
    }
}
