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
        String logger = "itest.levels." + Long.toHexString(System.nanoTime());
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            assertFalse("DEBUG is below the shipped root level INFO", debugReaches(logger, "before"));

            Object answer = gogo.run("aw:log-level " + logger + " DEBUG");
            assertTrue(String.valueOf(answer), String.valueOf(answer).startsWith(logger + ": inherited -> DEBUG"));
            assertTrue(String.valueOf(gogo.run("aw:log-level")).contains("DEBUG  " + logger));
            RuntimeHarness.await("a DEBUG line of " + logger + " in the log file", 20,
                    () -> debugReaches(logger, "after"));
            String line = RUNTIME.logText().lines().filter(l -> l.contains(logger + " - after")).findFirst().get();
            assertTrue(line, LINE.matcher(line).matches() && line.contains(" DEBUG ["));

            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                    () -> gogo.run("aw:log-level " + logger + " LOUD"));
            assertTrue(bad.getMessage(), bad.getMessage().contains("TRACE, DEBUG, INFO, WARN, ERROR, OFF"));

            gogo.run("aw:log-level " + logger + " default");
            assertFalse(String.valueOf(gogo.run("aw:log-level")).contains(logger));
            RuntimeHarness.await("DEBUG of " + logger + " filtered again", 20, () -> !debugReaches(logger, "reset"));
        }
    }

    @Test
    public void gogoLogAndTheWebConsoleLogPageShowTheEntries() throws Exception {
        String id = Long.toHexString(System.nanoTime());
        logService("for the readers " + id);
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            RuntimeHarness.await("the entry in Gogo's log", 20, () -> {
                try {
                    Object r = gogo.run("log 500 info");
                    return (gogo.printed() + r).contains("for the readers " + id);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
        RuntimeHarness.Response page = RUNTIME.get("/system/console/logs", "admin", RuntimeHarness.ADMIN_PASSWORD);
        assertEquals(page.body(), 200, page.status());
        assertFalse("the Log Service page finds the log reader", page.body().contains("not installed"));
        assertTrue("the entry on the page", page.body().contains("for the readers " + id));
    }

    private static String lineWith(String text) {
        return RUNTIME.logText().lines().filter(l -> l.endsWith(" - " + text) || l.contains(" - " + text))
                .findFirst().orElse(null);
    }

    /**
     * Logs one DEBUG line (marked) and one INFO line after it through SLF4J, waits for the INFO line, and says whether
     * the DEBUG line got into the file: the appender writes in order, so once the INFO line is there the DEBUG one
     * is there too unless its level filtered it.
     */
    private static boolean debugReaches(String logger, String what) {
        try {
            String mark = what + "-" + System.nanoTime();
            slf4j(logger, "debug", mark);
            slf4j(logger, "info", "after " + mark);
            try {
                RuntimeHarness.await("the INFO line after " + mark, 20, () -> RUNTIME.logText().contains("after " + mark));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the log file ends with:\n" + tail(), e);
            }
            return RUNTIME.logText().contains(logger + " - " + mark);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String tail() {
        List<String> lines = RUNTIME.logText().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
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
