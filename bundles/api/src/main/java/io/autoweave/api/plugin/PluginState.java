package io.autoweave.api.plugin;

import java.util.EnumSet;
import java.util.Set;

/**
 * Lifecycle of a plugin, from discovery to removal.
 *
 * <pre>
 * DISCOVERED → VALIDATED → INSTALLED → STARTING → RUNNING ⇄ STOPPING → STOPPED
 *      └→ REJECTED          STARTING → FAILED       any → BLOCKED → (unblock) → STOPPED
 * </pre>
 */
public enum PluginState {
    DISCOVERED, VALIDATED, REJECTED, INSTALLED, STARTING, RUNNING, STOPPING, STOPPED, FAILED, BLOCKED;

    /** Whether the state machine allows moving from this state to {@code next}. */
    public boolean canMoveTo(PluginState next) {
        return successors().contains(next);
    }

    /** States reachable in one step. */
    public Set<PluginState> successors() {
        switch (this) {
            case DISCOVERED: return EnumSet.of(VALIDATED, REJECTED);
            case VALIDATED: return EnumSet.of(INSTALLED, REJECTED);
            case REJECTED: return EnumSet.noneOf(PluginState.class);
            case INSTALLED: return EnumSet.of(STARTING, BLOCKED, STOPPED);
            case STARTING: return EnumSet.of(RUNNING, FAILED, BLOCKED);
            case RUNNING: return EnumSet.of(STOPPING, BLOCKED, FAILED);
            case STOPPING: return EnumSet.of(STOPPED, BLOCKED, FAILED);
            case STOPPED: return EnumSet.of(STARTING, BLOCKED);
            case FAILED: return EnumSet.of(STARTING, STOPPED, BLOCKED);
            case BLOCKED: return EnumSet.of(STOPPED);
            default: throw new AssertionError(this);
        }
    }
}
