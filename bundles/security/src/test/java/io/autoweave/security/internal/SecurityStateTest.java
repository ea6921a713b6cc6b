package io.autoweave.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SecurityStateTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void blocksAndLockdownSurviveARestart() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("security/blocked.properties");
        SecurityState s = new SecurityState(file);
        assertTrue(s.block("evil.plugin", "critical violation exitVM"));
        assertFalse("blocking twice changes nothing", s.block("evil.plugin", "again"));
        assertTrue(s.setLockdown(true, "3 plugins blocked"));

        SecurityState after = new SecurityState(file);
        assertEquals(Map.of("evil.plugin", "critical violation exitVM"), after.blocked());
        assertTrue(after.isLockdown());
        assertEquals("3 plugins blocked", after.lockdownReason());
        assertTrue(after.unblock("evil.plugin"));
        assertTrue(after.setLockdown(false, null));

        SecurityState again = new SecurityState(file);
        assertFalse(again.isBlocked("evil.plugin"));
        assertFalse(again.isLockdown());
    }
}
