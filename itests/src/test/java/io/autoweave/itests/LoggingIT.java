package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.regex.Pattern;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Logger levels at run time (Pax Logging, log4j2 backend): a logger's level changed with {@code aw:log-level}
 * (Configuration Admin) shows in DATA/log/autoweave.log and resets with {@code default}. The file's one format across
 * logging APIs, Gogo's {@code log} and the Web Console's log page are checked on the real process by
 * {@link LogFileIT}.
 */
public class LoggingIT {

    /** {@code 2026-12-07T06:37:58.060Z INFO  [main] io.autoweave.launcher - message}: time with offset, level, thread, logger. */
    private static final Pattern LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) (TRACE|DEBUG|INFO |WARN |ERROR) "
                    + "\\[[^\\]]+\\] (\\S+) - (.*)");

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

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




}
