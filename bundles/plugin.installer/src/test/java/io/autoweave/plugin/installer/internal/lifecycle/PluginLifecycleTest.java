package io.autoweave.plugin.installer.internal.lifecycle;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

import io.autoweave.api.plugin.PluginState;

public class PluginLifecycleTest {

    @Test
    public void skippedStatesArePublishedAsLegalSteps() {
        assertEquals(List.of(PluginState.STARTING, PluginState.RUNNING),
                PluginLifecycle.path(PluginState.INSTALLED, PluginState.RUNNING));
        assertEquals(List.of(PluginState.BLOCKED), PluginLifecycle.path(PluginState.RUNNING, PluginState.BLOCKED));
        assertEquals(List.of(PluginState.STOPPED, PluginState.STARTING),
                PluginLifecycle.path(PluginState.BLOCKED, PluginState.STARTING));
        assertEquals("REJECTED is final", List.of(), PluginLifecycle.path(PluginState.REJECTED, PluginState.RUNNING));
    }
}
