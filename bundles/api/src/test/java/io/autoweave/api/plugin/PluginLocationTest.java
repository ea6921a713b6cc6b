package io.autoweave.api.plugin;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Optional;

import org.junit.Test;

public class PluginLocationTest {

    @Test
    public void aPluginLocationIsTheLevelInLowerCaseThenTheSymbolicName() {
        assertEquals("plugin:high/com.example.x", PluginLocation.plugin(SecurityLevel.HIGH, "com.example.x"));
        assertEquals("plugin:medium/", PluginLocation.pluginPrefix(SecurityLevel.MEDIUM));
    }

    @Test
    public void aLocationReadsBackToItsLevelAndName() {
        PluginLocation l = PluginLocation.parsePlugin("plugin:low/a.b").orElseThrow();
        assertEquals(SecurityLevel.LOW, l.level());
        assertEquals("a.b", l.symbolicName());
        assertEquals("plugin:low/a.b", l.location());
        assertEquals(SecurityLevel.MEDIUM, PluginLocation.levelOf("plugin:medium/a.b"));
    }

    @Test
    public void whatIsNotAWellFormedPluginLocationHasNoLevel() {
        for (String bad : new String[] { null, "", "plugin:", "plugin:high", "plugin:high/", "plugin:extreme/x.y",
                "autoweave:core/autoweave-redis", "file:/tmp/x.jar", "plugin:/x" }) {
            assertEquals(bad, Optional.empty(), PluginLocation.parsePlugin(bad));
            assertNull(bad, PluginLocation.levelOf(bad));
        }
    }

    @Test
    public void coreAndPluginLocationsAreTold() {
        assertTrue(PluginLocation.isCore("autoweave:core/autoweave-redis"));
        assertFalse(PluginLocation.isPlugin("autoweave:core/autoweave-redis"));
        assertTrue(PluginLocation.isPlugin("plugin:high/x"));
        assertFalse(PluginLocation.isCore("plugin:high/x"));
        assertFalse(PluginLocation.isPlugin(null));
        assertFalse(PluginLocation.isCore(null));
    }

    @Test
    public void aSymbolicNameWithASlashIsNotAPluginLocation() {
        assertThrows(IllegalArgumentException.class, () -> PluginLocation.plugin(SecurityLevel.LOW, "a/b"));
        assertThrows(IllegalArgumentException.class, () -> PluginLocation.plugin(SecurityLevel.LOW, ""));
        assertThrows(NullPointerException.class, () -> PluginLocation.plugin(null, "a"));
    }
}
