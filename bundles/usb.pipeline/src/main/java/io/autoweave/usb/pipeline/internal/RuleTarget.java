package io.autoweave.usb.pipeline.internal;

import java.util.Locale;

/** What a matching rule decides for a device. */
enum RuleTarget {
    /** Events for the device reach listeners. */
    ALLOW,
    /** The device is recorded in the registry as blocked; its events reach no listener. */
    BLOCK;

    String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code allow|block}, case-insensitively, with an error that lists the choices. */
    static RuleTarget parse(String text) {
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
