package io.autoweave.launcher;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

import io.autoweave.api.plugin.PluginLocation;

public class LauncherLocationTest {

    /** The launcher installs the core bundles outside the framework; the policies and the bundles read the API's. */
    @Test
    public void theLauncherSpellsCoreLocationsAsTheApiDoes() {
        assertEquals(PluginLocation.CORE_PREFIX, Launcher.CORE_LOCATION_PREFIX);
        assertEquals(true, PluginLocation.isCore(Launcher.CORE_LOCATION_PREFIX + "autoweave-redis"));
    }
}
