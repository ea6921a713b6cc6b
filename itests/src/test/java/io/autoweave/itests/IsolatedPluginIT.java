package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

import io.autoweave.itests.probe.IsolatedProbeActivator;

/**
 * Plugins run out of process by the runtime (the plugin-host bundle, one {@code io.autoweave.plugin.isolated-NAME.cfg}
 * per plugin): a plain plugin bundle in a confined child JVM gets, over the channel, the simulated USB events its
 * grant covers and nothing else; a plugin that calls {@code System.exit} ends only its own host, is restarted with
 * back-off and blocked, audited, while the runtime and the polite plugin go on.
 */
public class IsolatedPluginIT {
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-isolated-it");
    private static final Path TEMURIN_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness()
            // not under test here; in this in-process harness SSHD's provider registrar can load from the test
            // class path (ClassCastException in SshConsole), which fails readiness (see the report of branch oop)
            .config("io.autoweave.ssh.cfg", "enabled = false\n")
            .config("io.autoweave.plugin.isolated-polite.cfg", "plugin.jar = " + probe("polite") + "\n"
                    + "level = high\nusb.grant = vendor=046d\n")
            .config("io.autoweave.plugin.isolated-exit.cfg", "plugin.jar = " + probe("exit") + "\n"
                    + "level = high\nusb.grant = *\nmax.crashes = 2\nbackoff.ms = 200\n")
            // the runtime stays on JDK 17 (its in-process plugins need the SecurityManager); a host may run on 25
            .config("io.autoweave.plugin.isolated-jdk25.cfg", "plugin.jar = " + probe("jdk25") + "\n"
                    + "level = medium\nusb.grant = vendor=046d;product=c077\njava.home = " + TEMURIN_25 + "\n")
            .config("io.autoweave.plugin.isolated-broken.cfg", "plugin.jar = " + probe("polite") + "\nlevel = "
                    + "extreme\n");

    private static Gogo gogo;

    private static String probe(String behaviour) {
        try {
            byte[] jar = RuntimeHarness.bundle("itest.isolated." + behaviour, new String[][] {
                    { "Import-Package", "org.osgi.framework,io.autoweave.api.device" },
                    { "Bundle-Activator", IsolatedProbeActivator.class.getName() } }, IsolatedProbeActivator.class);
            Path p = WORK.resolve("itest.isolated." + behaviour + ".jar");
            Files.write(p, jar);
            return p.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeClass
    public static void shell() throws Exception {
        Assume.assumeTrue("bubblewrap is needed (apt-get install bubblewrap)", Files.isExecutable(Path.of(
                "/usr/bin/bwrap")));
        // the hosts start with their configuration, before anybody looks at them (immediate components)
        RuntimeHarness.await("the polite host ready, audited", 60,
                () -> RUNTIME.logText().contains("itest.isolated.polite: host-ready"));
        gogo = new Gogo(RUNTIME.context());
    }

    @AfterClass
    public static void closeShell() throws Exception {
        if (gogo != null) {
            gogo.close();
        }
    }

    private static String row(String bsn) throws Exception {
        @SuppressWarnings("unchecked")
        List<String> rows = (List<String>) gogo.run("aw:isolated");
        return rows.stream().filter(r -> r.startsWith(bsn + " ")).findFirst().orElse("none");
    }

    /** A figure of the plugin's row, e.g. {@code acked}. */
    private static long count(String bsn, String figure) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" " + figure + "=(\\d+) ").matcher(row(bsn));
        assertTrue(row(bsn), m.find());
        return Long.parseLong(m.group(1));
    }

    private static void awaitRow(String what, String bsn, String part, long seconds) throws InterruptedException {
        RuntimeHarness.await(what, seconds, () -> {
            try {
                return row(bsn).contains(part);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    public void aPlainPluginInItsOwnJvmGetsTheEventsItsGrantCoversAndAnExitingOneIsBlockedAlone() throws Exception {
        awaitRow("the polite host running", "itest.isolated.polite", " RUNNING ", 60);
        System.out.println("[itest] isolated host: " + row("itest.isolated.polite"));

        // another test's event may still be on its way to this host: start from a settled row
        RuntimeHarness.await("the polite host's events settled", 20, () -> {
            try {
                return count("itest.isolated.polite", "sent") == count("itest.isolated.polite", "acked");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long acked = count("itest.isolated.polite", "acked");
        long withheld = count("itest.isolated.polite", "withheld");
        gogo.run("aw:simulate attach 046d:c52b ISO-LOGI 7-1");
        gogo.run("aw:simulate attach 1d50:6089 ISO-OTHER 7-2");
        awaitRow("the Logitech attach acknowledged by the host", "itest.isolated.polite", " acked=" + (acked + 1)
                + " ", 20);
        awaitRow("the other vendor's attach withheld in the runtime", "itest.isolated.polite", " withheld="
                + (withheld + 1) + " ", 20);
        RuntimeHarness.await("the plugin's line in the runtime log", 20,
                () -> RUNTIME.logText().contains("isolated got ISO-LOGI"));
        assertTrue(RUNTIME.logText(), !RUNTIME.logText().contains("isolated got ISO-OTHER"));
        String line = RUNTIME.logText().lines().filter(l -> l.contains("isolated got ISO-LOGI")).findFirst()
                .orElseThrow();
        System.out.println("[itest] " + line);
        assertTrue(line, line.contains("SecurityManager none")); // the host JVM runs without one

        awaitRow("the exiting plugin blocked after 2 crashes", "itest.isolated.exit", " BLOCKED ", 90);
        String exit = row("itest.isolated.exit");
        System.out.println("[itest] " + exit);
        assertTrue(exit, exit.contains("exited with 5"));
        String audit = String.valueOf(gogo.run("aw:audit subject=itest.isolated.exit"));
        assertTrue(audit, audit.contains("host-crashed") && audit.contains("host-restarted")
                && audit.contains("blocked"));

        // the runtime and the polite plugin go on
        gogo.run("aw:simulate detach 046d:c52b ISO-LOGI 7-1");
        awaitRow("the detach acknowledged too", "itest.isolated.polite", " acked=" + (acked + 2) + " ", 20);
        assertTrue(row("itest.isolated.polite"), row("itest.isolated.polite").contains(" missed=0 "));
        assertEquals(200, RUNTIME.get("/health/ready", null, null).status());
        String metrics = RUNTIME.get("/metrics", "admin", RuntimeHarness.ADMIN_PASSWORD).body();
        assertTrue(metrics, metrics.contains(
                "autoweave_isolated_events_total{plugin=\"itest.isolated.polite\",outcome=\"acked\"} " + (acked + 2)));
        assertTrue(metrics, metrics.contains(
                "autoweave_isolated_host_state{plugin=\"itest.isolated.exit\",state=\"blocked\"} 1"));
    }

    @Test
    public void aHostRunsOnTemurin25WithoutASecurityManagerWhileTheRuntimeRunsOn17() throws Exception {
        Assume.assumeTrue("Temurin 25 in " + TEMURIN_25, Files.isExecutable(TEMURIN_25.resolve("bin/java")));
        awaitRow("the JDK 25 host running", "itest.isolated.jdk25", " RUNNING ", 60);
        gogo.run("aw:simulate attach 046d:c077 ISO-JDK25 7-3");
        RuntimeHarness.await("the JDK 25 plugin's line", 20, () -> RUNTIME.logText().lines()
                .anyMatch(l -> l.contains("[itest.isolated.jdk25 out] isolated got ISO-JDK25 on JDK 25, "
                        + "SecurityManager none")));
        System.out.println("[itest] " + row("itest.isolated.jdk25"));
    }

    @Test
    public void aBadConfigurationSaysWhatToFixAndRunsNothing() throws Exception {
        String fix = "level \"extreme\" is not one of high, medium, low";
        RuntimeHarness.await("the refusal audited", 30, () -> {
            try {
                return String.valueOf(gogo.run("aw:audit decision=host-config-refused")).contains(fix);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        @SuppressWarnings("unchecked")
        List<String> rows = (List<String>) gogo.run("aw:isolated");
        assertTrue(rows.toString(), rows.stream().anyMatch(r -> r.contains("NOT RUNNING: " + fix)));
    }
}
