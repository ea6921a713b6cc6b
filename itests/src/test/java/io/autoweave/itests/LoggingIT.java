package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Method;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * One logging system (Pax Logging, log4j2 backend): lines from SLF4J, System.Logger, java.util.logging and the OSGi
 * LogService all reach DATA/log/autoweave.log in one format; a logger's level changed at run time with
 * {@code aw:log-level} (Configuration Admin) shows in the file; Gogo {@code log} and the Web Console's log page read
 * the same entries.
 */
public class LoggingIT {

    /** {@code 2026-12-07T06:37:58.060Z INFO  [main] io.autoweave.launcher - message}: time with offset, level, thread, logger. */
    private static final Pattern LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) (TRACE|DEBUG|INFO |WARN |ERROR) "
                    + "\\[[^\\]]+\\] (\\S+) - (.*)");

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    @Test
    public void linesFromEveryLoggingApiReachTheLogFileInOneFormat() throws Exception {
        String id = Long.toHexString(System.nanoTime());
        slf4j("itest.api.slf4j", "info", "from slf4j " + id);
        System.getLogger("itest.api.system").log(System.Logger.Level.INFO, "from System.Logger " + id);
        java.util.logging.Logger.getLogger("itest.api.jul").info("from java.util.logging " + id);
        logService("from LogService " + id);

        String[][] expected = { { "itest.api.slf4j", "from slf4j " }, { "itest.api.system", "from System.Logger " },
                { "itest.api.jul", "from java.util.logging " }, { null, "from LogService " } };
        for (String[] e : expected) {
            String message = e[1] + id;
            RuntimeHarness.await("'" + message + "' in the log file", 20, () -> lineWith(message) != null);
            String line = lineWith(message);
            Matcher m = LINE.matcher(line);
            assertTrue("one format: " + line, m.matches());
            assertEquals(line, "INFO ", m.group(2));
            if (e[0] != null) {
                assertEquals("the logger's own name: " + line, e[0], m.group(3));
            }
            assertEquals(message, m.group(4));
        }
        // the launcher's and the runtime bundles' lines share it
        String ready = lineWith("AutoWeave ready in");
        assertNotNull("the launcher's ready line is in the log file", ready);
        assertTrue(ready, LINE.matcher(ready).matches());
        String pipeline = lineWith("USB pipeline started");
        assertNotNull(pipeline);
        assertTrue(pipeline, LINE.matcher(pipeline).matches());
    }

    @Test
    public void aLoggersLevelChangedAtRunTimeShowsInTheLogFileAndResetsWithDefault() throws Exception {
        // a runtime bundle's own logger, created long before the change: the security bundle's PolicyManager says
        // "policy: DIR unchanged (N rows)" at DEBUG on every reload that changes nothing (synchronously, so the line
        // is in the file when the command returns)
        String logger = "io.autoweave.security.internal.PolicyManager";
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            assertEquals("DEBUG is below the shipped root level INFO", 0, unchangedLinesAfterAReload(gogo));

            Object answer = gogo.run("aw:log-level " + logger + " DEBUG");
            assertTrue(String.valueOf(answer), String.valueOf(answer).startsWith(logger + ": inherited -> DEBUG"));
            assertTrue(String.valueOf(gogo.run("aw:log-level")).contains("DEBUG  " + logger));
            RuntimeHarness.await("a DEBUG line of " + logger + " in the log file", 20, () -> {
                try {
                    return unchangedLinesAfterAReload(gogo) > 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            String line = RUNTIME.logText().lines().filter(l -> l.contains(" unchanged (")).findFirst().get();
            assertTrue(line, LINE.matcher(line).matches());
            assertTrue(line, line.contains(" DEBUG [") && line.contains(" " + logger + " - policy: "));

            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> gogo.run("aw:log-level " + logger + " LOUD"));
            assertTrue(bad.getMessage(), bad.getMessage().contains("TRACE, DEBUG, INFO, WARN, ERROR, OFF"));

            gogo.run("aw:log-level " + logger + " default");
            assertFalse(String.valueOf(gogo.run("aw:log-level")).contains(logger));
            RuntimeHarness.await("DEBUG of " + logger + " filtered again", 20, () -> {
                try {
                    long before = countUnchanged();
                    return unchangedLinesAfterAReload(gogo) == before;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    /** Runs aw:policy-reload (the rows are the same) and counts the "unchanged" DEBUG lines in the file. */
    private static long unchangedLinesAfterAReload(Gogo gogo) throws Exception {
        Object r = gogo.run("aw:policy-reload");
        assertTrue(String.valueOf(r), String.valueOf(r).startsWith("no change: "));
        return countUnchanged();
    }

    private static long countUnchanged() {
        return RUNTIME.logText().lines().filter(l -> l.contains("io.autoweave.security.internal.PolicyManager - policy: ")
                && l.contains(" unchanged (")).count();
    }

    @Test
    public void gogoLogAndTheWebConsoleLogPageShowTheEntries() throws Exception {
        String entry = "USB pipeline started";
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            Object r = gogo.run("log 500 info");
            String shown = gogo.printed() + r;
            assertTrue("Gogo's log shows the pipeline's INFO line:\n" + shown, shown.contains(entry));
        }
        RuntimeHarness.Response page = RUNTIME.get("/system/console/logs", "admin", RuntimeHarness.ADMIN_PASSWORD);
        assertEquals(page.body(), 200, page.status());
        assertFalse("the Log Service page finds the log reader", page.body().contains("not installed"));
        assertTrue("the entry on the page:\n" + page.body(), page.body().contains(entry));
    }

    private static String lineWith(String text) {
        return RUNTIME.logText().lines().filter(l -> l.endsWith(" - " + text) || l.contains(" - " + text))
                .findFirst().orElse(null);
    }

    /** SLF4J as the bundles use it: the API exported by Pax Logging (inside the framework, so reflectively). */
    private static void slf4j(String logger, String level, String message) throws Exception {
        Bundle api = List.of(RUNTIME.context().getBundles()).stream()
                .filter(b -> "org.ops4j.pax.logging.pax-logging-api".equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("pax-logging-api is not installed"));
        Class<?> factory = api.loadClass("org.slf4j.LoggerFactory");
        Object l = factory.getMethod("getLogger", String.class).invoke(null, logger);
        Method m = api.loadClass("org.slf4j.Logger").getMethod(level, String.class);
        m.invoke(l, message);
    }

    /** The OSGi LogService (1.3 style {@code log(int, String)}), reflectively. */
    private static void logService(String message) throws Exception {
        // all references: the test's class path has its own copy of the package, which the framework would filter out
        ServiceReference<?>[] refs = RUNTIME.context().getAllServiceReferences("org.osgi.service.log.LogService", null);
        assertNotNull("a LogService is registered", refs);
        ServiceReference<?> ref = refs[0];
        Object log = RUNTIME.context().getService(ref);
        try {
            Class<?> type = log.getClass().getClassLoader() == null ? null
                    : Class.forName("org.osgi.service.log.LogService", false, log.getClass().getClassLoader());
            Method m = (type == null ? log.getClass() : type).getMethod("log", int.class, String.class);
            m.invoke(log, 3, message); // LOG_INFO
        } finally {
            RUNTIME.context().ungetService(ref);
        }
    }
}
