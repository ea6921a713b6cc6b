package io.autoweave.resources.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Map;

import org.junit.Test;

import io.autoweave.api.plugin.PluginLocation;
import io.autoweave.api.plugin.SecurityLevel;

public class LimitsTest {

    private final Map<SecurityLevel, Limits> defaults = Map.of(
            SecurityLevel.LOW, new Limits(SecurityLevel.LOW, 1.0, 1024 * Limits.MB, 32, 10_000, 1024, false),
            SecurityLevel.MEDIUM, new Limits(SecurityLevel.MEDIUM, 0.5, 256 * Limits.MB, 16, 5_000, 512, false),
            SecurityLevel.HIGH, new Limits(SecurityLevel.HIGH, 0.25, 64 * Limits.MB, 8, 2_000, 256, false));

    @Test
    public void aPluginWithoutOverrideGetsItsLevelsDefaults() {
        assertEquals(defaults.get(SecurityLevel.HIGH), Limits.effective(SecurityLevel.HIGH, null, defaults, "x"));
    }

    @Test
    public void anOverrideChangesOnlyTheNamedValuesOnTopOfTheInstalledLevel() {
        Map<String, Map<String, String>> o = Limits.overrides(new String[] { "com.acme.scan cpu=0.8,threads=24", "" },
                defaults);
        Limits l = Limits.effective(SecurityLevel.HIGH, o.get("com.acme.scan"), defaults, "com.acme.scan");
        assertEquals(SecurityLevel.HIGH, l.level());
        assertEquals(0.8, l.cpuShare(), 0);
        assertEquals(24, l.maxThreads());
        assertEquals(2_000, l.callTimeoutMillis());
        assertTrue(l.overridden());
    }

    @Test
    public void anOverrideMayChangeTheLevelAndWithItTheAction() {
        Map<String, Map<String, String>> o = Limits.overrides(new String[] { "p level=low,timeout.ms=50" }, defaults);
        Limits l = Limits.effective(SecurityLevel.HIGH, o.get("p"), defaults, "p");
        assertEquals(SecurityLevel.LOW, l.level());
        assertEquals(50, l.callTimeoutMillis());
        assertEquals(32, l.maxThreads());
        assertFalse(Limits.effective(SecurityLevel.HIGH, null, defaults, "q").overridden());
    }

    @Test
    public void badOverridesFailWithAMessageThatSaysWhatToWrite() {
        assertFails("has no limits", "com.acme.scan");
        assertFails("unknown key 'cpus'", "p cpus=1");
        assertFails("cpu=lots is not a number", "p cpu=lots");
        assertFails("is not key=value", "p cpu");
        assertFails("unknown security level 'extreme'", "p level=extreme");
        assertFails("call time-out (ms) must be at least 10", "p timeout.ms=1");
        assertFails("two overrides for p", "p cpu=1", "p threads=2");
    }

    private void assertFails(String message, String... entries) {
        try {
            Limits.overrides(entries, defaults);
            fail("accepted " + String.join(" | ", entries));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(message));
        }
    }

    @Test
    public void theLevelComesFromThePluginLocation() {
        assertEquals(SecurityLevel.MEDIUM, PluginLocation.levelOf("plugin:medium/a.b"));
        assertEquals(null, PluginLocation.levelOf("autoweave:core/autoweave-redis"));
        assertEquals(null, PluginLocation.levelOf("plugin:weird/a.b"));
    }
}
