package io.autoweave.launcher;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class LaunchConfigTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static IllegalArgumentException refused(String[] args, Map<String, String> env) {
        return assertThrows(IllegalArgumentException.class, () -> LaunchConfig.parse(args, env, false));
    }

    @Test
    public void withNothingGivenEveryValueHasAWorkingDefault() {
        LaunchConfig c = LaunchConfig.parse(new String[0], Map.of(), true);
        assertEquals(Path.of("autoweave-data").toAbsolutePath().normalize(), c.dataDir());
        assertEquals("127.0.0.1", c.httpHost());
        assertEquals(LaunchConfig.DEFAULT_HTTP_PORT, c.httpPort());
        assertNull(c.policyDir);
        assertTrue(c.interactiveShell);
        assertEquals("http://127.0.0.1:8080", c.baseUrl());
    }

    @Test
    public void optionsWinOverTheEnvironment() throws Exception {
        Path policies = tmp.newFolder("policies").toPath();
        LaunchConfig c = LaunchConfig.parse(new String[] { "--data", "/srv/aw", "--http-port", "9090", "--http-host",
                "::", "--policies", policies.toString(), "--no-shell", "-Dfoo.bar=a=b" },
                Map.of("AUTOWEAVE_DATA", "/elsewhere", "AUTOWEAVE_HTTP_PORT", "7070"), true);
        assertEquals(Path.of("/srv/aw"), c.dataDir());
        assertEquals(9090, c.httpPort());
        assertEquals("a wildcard bind is reached on loopback", "http://127.0.0.1:9090", c.baseUrl());
        assertEquals(policies.toAbsolutePath().normalize(), c.policyDir);
        assertFalse(c.interactiveShell);
        assertEquals(Map.of("foo.bar", "a=b"), c.extraProperties);
    }

    @Test
    public void theEnvironmentIsReadWhenNoOptionSaysOtherwise() {
        LaunchConfig c = LaunchConfig.parse(new String[0], Map.of("AUTOWEAVE_DATA", "/var/lib/aw",
                "AUTOWEAVE_HTTP_PORT", " 8181 ", "AUTOWEAVE_HTTP_HOST", "::1"), false);
        assertEquals(Path.of("/var/lib/aw"), c.dataDir());
        assertEquals(8181, c.httpPort());
        assertEquals("http://[::1]:8181", c.baseUrl());
    }

    @Test
    public void aBadValueIsRefusedWithWhatToWriteInstead() {
        assertTrue(refused(new String[] { "--http-port", "0" }, Map.of()).getMessage()
                .contains("--http-port must be a port number 1..65535, not '0'"));
        assertTrue(refused(new String[] { "--http-port", "http" }, Map.of()).getMessage().contains("not 'http'"));
        assertTrue(refused(new String[0], Map.of("AUTOWEAVE_HTTP_PORT", "70000")).getMessage()
                .contains("AUTOWEAVE_HTTP_PORT must be a port number"));
        assertEquals("option --data needs a value", refused(new String[] { "--data" }, Map.of()).getMessage());
        assertEquals("unknown option '--verbose'", refused(new String[] { "--verbose" }, Map.of()).getMessage());
        assertEquals("unknown option '-Dnovalue'", refused(new String[] { "-Dnovalue" }, Map.of()).getMessage());
        assertTrue(refused(new String[] { "--policies", tmp.getRoot().toPath().resolve("none").toString() }, Map.of())
                .getMessage().endsWith("does not exist"));
    }

    @Test
    public void aShortAdministratorPasswordIsRefusedWithoutShowingIt() {
        String message = refused(new String[0], Map.of("AUTOWEAVE_ADMIN_PASSWORD", "s3cret-pw")).getMessage();
        assertTrue(message, message.contains("AUTOWEAVE_ADMIN_PASSWORD must be at least 12 characters long (it has 9)"));
        assertFalse(message, message.contains("s3cret-pw"));
        // empty means: keep the stored password; twelve characters are enough
        LaunchConfig.parse(new String[0], Map.of("AUTOWEAVE_ADMIN_PASSWORD", ""), false);
        LaunchConfig.parse(new String[0], Map.of("AUTOWEAVE_ADMIN_PASSWORD", "twelve-chars"), false);
    }
}
