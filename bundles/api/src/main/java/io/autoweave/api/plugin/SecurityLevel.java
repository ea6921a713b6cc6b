package io.autoweave.api.plugin;

import java.util.Locale;

/**
 * How strictly a plugin is confined. Each level selects a policy file in {@code security-policies/} and the
 * default resource limits and escalation actions.
 */
public enum SecurityLevel {
    /** Trusted internal plugins: violations are recorded and warned about, nothing is enforced automatically. */
    LOW,
    /** Default for third-party plugins: limits are enforced (throttle, shed), repeated violations block. */
    MEDIUM,
    /** Untrusted plugins: minimal permissions; any critical violation stops and blocks the plugin. */
    HIGH;

    /** Parses {@code low|medium|high}, case-insensitively, with an error that lists the choices. */
    public static SecurityLevel parse(String text) {
        if (text != null) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                // fall through to the helpful message
            }
        }
        throw new IllegalArgumentException("unknown security level '" + text + "': use low, medium or high");
    }
}
