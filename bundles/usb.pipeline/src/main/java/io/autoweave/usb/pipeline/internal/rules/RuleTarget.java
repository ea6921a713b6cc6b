package io.autoweave.usb.pipeline.internal.rules;

import java.util.Locale;

/** What a matching rule decides for a device. */
public enum RuleTarget {
    /** Events for the device reach listeners. */
    ALLOW,
    /** The device is recorded in the registry as blocked; its events reach no listener. */
    BLOCK;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code allow|block}, case-insensitively, with an error that lists the choices. */
    public static RuleTarget parse(String text) {
        if (text != null) {
            for (RuleTarget t : values()) {
                if (t.word().equalsIgnoreCase(text.trim())) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown rule target '" + text + "': use allow or block");
    }
}
