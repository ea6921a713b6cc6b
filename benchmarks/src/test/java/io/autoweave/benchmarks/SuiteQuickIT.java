package io.autoweave.benchmarks;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.Test;

/**
 * CI keeps the suite compiling and running: the quick mode end to end (real runtime, redis-server, child JVMs),
 * asserting that it completed and wrote a table row for every scenario. Nothing about speed is asserted.
 */
public class SuiteQuickIT {

    @Test
    public void theQuickModeRunsEveryScenarioAndWritesTheTable() throws Exception {
        Path out = Path.of("target", "benchmarks-quick.md").toAbsolutePath(); // kept: CI can archive the table
        Process p = new ProcessBuilder(Proc.java(), "-cp", System.getProperty("java.class.path"),
                Suite.class.getName(), "--quick", "--out", out.toString()).inheritIO().start();
        try {
            assertTrue("the quick mode finishes within 8 minutes", p.waitFor(8, TimeUnit.MINUTES));
        } finally {
            p.destroyForcibly();
        }
        assertEquals("exit code: every scenario ran", 0, p.exitValue());
        String table = Files.readString(out);
        for (String scenario : Suite.SCENARIOS) {
            assertTrue("a row for " + scenario + " in:\n" + table, table.contains("| " + scenario + " |"));
        }
        assertTrue(table, !table.contains("FAILED"));
    }
}
