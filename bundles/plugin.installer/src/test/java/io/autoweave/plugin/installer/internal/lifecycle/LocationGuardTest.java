package io.autoweave.plugin.installer.internal.lifecycle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;

import io.autoweave.api.plugin.PluginState;
import io.autoweave.api.plugin.PluginLocation;
import io.autoweave.api.plugin.SecurityLevel;

public class LocationGuardTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void onlyTheSystemBundleCoreBundlesAndRecordedPluginsMayResolve() throws Exception {
        PluginLedger ledger = new PluginLedger(tmp.getRoot().toPath().resolve("ledger.properties"));
        ledger.put("plugin:medium/good", "abc", "CN=Signer");
        LocationGuard guard = new LocationGuard(ledger, false);
        assertTrue(guard.mayResolve(0, "System Bundle"));
        assertTrue(guard.mayResolve(5, "autoweave:core/autoweave-api"));
        assertTrue(guard.mayResolve(40, "plugin:medium/good"));
        assertFalse("a plugin location the installer did not create", guard.mayResolve(41, "plugin:low/sneaky"));
        assertFalse("felix:install", guard.mayResolve(42, "file:/tmp/plugin.jar"));
        assertFalse("Web Console upload", guard.mayResolve(43, "inputstream:plugin.jar"));
    }

    @Test
    public void whileTheFrameworkStartsRecordedPluginsAreHeldBackUntilReleased() throws Exception {
        PluginLedger ledger = new PluginLedger(tmp.getRoot().toPath().resolve("ledger.properties"));
        ledger.put("plugin:medium/good", "abc", "CN=Signer");
        LocationGuard guard = new LocationGuard(ledger, true);
        assertFalse("held: the start-level thread must not run its start()", guard.mayResolve(40, "plugin:medium/good"));
        assertTrue("core bundles are never held", guard.mayResolve(5, "autoweave:core/autoweave-api"));
        guard.release();
        assertTrue(guard.mayResolve(40, "plugin:medium/good"));
        assertFalse(guard.isHeld());
    }

    @Test
    public void theLedgerSurvivesARestartAndForgetsRemovedPlugins() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("sub/ledger.properties");
        PluginLedger ledger = new PluginLedger(file);
        ledger.put("plugin:low/a", "aa", "CN=A");
        ledger.put("plugin:high/b", "bb", "");
        ledger.remove("plugin:low/a");
        PluginLedger reloaded = new PluginLedger(file);
        assertFalse(reloaded.contains("plugin:low/a"));
        assertEquals(new PluginLedger.Entry("bb", ""), reloaded.get("plugin:high/b"));
        assertNull(reloaded.get("plugin:low/a"));
        assertTrue(Files.exists(file));
    }

    @Test
    public void levelAndStateComeFromLocationAndBundleState() {
        assertEquals(SecurityLevel.HIGH, PluginLocation.levelOf("plugin:high/x.y"));
        assertNull(PluginLocation.levelOf("plugin:extreme/x.y"));
        assertEquals(PluginState.RUNNING, PluginLifecycle.stateOf(Bundle.ACTIVE));
        assertEquals(PluginState.STOPPED, PluginLifecycle.stateOf(Bundle.RESOLVED));
        assertEquals(PluginState.INSTALLED, PluginLifecycle.stateOf(Bundle.INSTALLED));
    }
}
