package io.autoweave.plugin.installer;

import java.util.Locale;

/**
 * Where a plugin runs.
 *
 * @since 2.1
 */
public enum PluginMode {
    /**
     * In the runtime's own framework, confined by its level's ConditionalPermissionAdmin rows and the
     * SecurityManager (JDK 17 only).
     */
    IN_PROCESS,
    /**
     * In a plugin host of its own: a child JVM confined by the operating system (bubblewrap, cgroups, rlimits) with
     * its level's heap, CPU, task and file ceilings; the same signature gate, and its USB grant decided in the runtime
     * (plugin-host/README.md). Runs on any JDK.
     */
    ISOLATED;

    /** {@code in-process} or {@code isolated} (case and {@code _} for {@code -} do not matter). */
    public static PluginMode parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (t) {
            case "in-process":
            case "inprocess":
                return IN_PROCESS;
            case "isolated":
                return ISOLATED;
            default:
                throw new IllegalArgumentException("mode \"" + text + "\" is not one of in-process, isolated");
        }
    }

    /** The name {@link #parse} reads: {@code in-process} or {@code isolated}. */
    public String label() {
        return this == IN_PROCESS ? "in-process" : "isolated";
    }
}
