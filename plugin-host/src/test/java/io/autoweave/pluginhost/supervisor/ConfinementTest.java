package io.autoweave.pluginhost.supervisor;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Assume;
import org.junit.Test;

/** The command lines, layer by layer, without starting anything (no cgroup is touched: cgroups off here). */
public class ConfinementTest {
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    private static List<String> command(Confinement c, Path dir) throws IOException {
        return c.command(JAVA_HOME, List.of(dir.resolve("host.jar")), "Main", List.of("a"), dir.resolve("data"),
                dir.resolve("run"), List.of(dir.resolve("plugin.jar")), Confinement.Limits.of("high"), "g");
    }

    @Test
    public void withoutBubblewrapOrCgroupsTheRlimitsCarryTheMemoryAndTaskCeilings() throws IOException {
        Path dir = Files.createTempDirectory("confinement");
        List<String> cmd = command(new Confinement(false, true, false), dir);
        String line = String.join(" ", cmd);
        assertTrue(line, line.contains("--nofile=128 --core=0 --fsize=" + 64L * 1024 * 1024 + " --as="
                + (224L + 1536) * 1024 * 1024 + " --nproc=64"));
        assertFalse(line, line.contains("bwrap"));
        assertTrue(line, line.contains("-Xmx64m") && line.contains("-XX:+ExitOnOutOfMemoryError"));
        assertEquals("Main", cmd.get(cmd.size() - 2));
    }

    @Test
    public void withBubblewrapTheHostSeesOnlyWhatItNeedsAndCannotLaunchPrograms() throws IOException {
        Path dir = Files.createTempDirectory("confinement");
        List<String> cmd = command(new Confinement(true, true, false), dir);
        String line = String.join(" ", cmd);
        for (String flag : List.of("--unshare-all", "--die-with-parent", "--new-session", "--cap-drop ALL",
                "--uid 65534")) {
            assertTrue(flag + " in " + line, line.contains(flag));
        }
        assertFalse("the network namespace is never shared back: " + line, line.contains("--share-net"));
        // every path the host needs appears under /aw inside, never where it lies on this machine
        assertTrue(line, line.contains("--bind " + dir.resolve("data") + " /aw/data"));
        assertTrue(line, line.contains("--ro-bind " + dir.resolve("plugin.jar") + " /aw/ro/"));
        assertTrue(line, line.contains("--chdir /aw/data") && line.contains("-Djava.io.tmpdir=/aw/data/tmp"));
        List<String> inside = cmd.subList(cmd.lastIndexOf("--") + 1, cmd.size());
        assertFalse("no host path of the data directory inside: " + inside,
                String.join(" ", inside).contains(dir.toString()));
        // nothing of /etc but the files the JDK itself links there (Debian's java.security)
        for (int i = 0; i < cmd.size() - 2; i++) {
            if (cmd.get(i).endsWith("bind") && cmd.get(i + 1).startsWith("/etc")) {
                assertTrue(cmd.get(i + 1), Confinement.linkedOutside(JAVA_HOME.toRealPath())
                        .contains(Path.of(cmd.get(i + 1))));
            }
        }
        Assume.assumeTrue(Files.exists(JAVA_HOME.toRealPath().resolve("lib/jspawnhelper")));
        assertTrue(line, line.contains("--ro-bind /dev/null " + JAVA_HOME.toRealPath().resolve("lib/jspawnhelper")));
        // nice, then prlimit, then bwrap, then the JVM inside it
        assertEquals("/usr/bin/nice", cmd.get(0));
        assertTrue(line, line.indexOf("prlimit") < line.indexOf("bwrap"));
        assertEquals(JAVA_HOME.resolve("bin/java").toString(), cmd.get(cmd.lastIndexOf("--") + 1));
    }
}
