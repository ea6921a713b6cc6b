package io.autoweave.http.internal;

import java.util.Locale;

/** What a caller may do: viewers read, operators also act on devices and plugins, admins also install and block. */
enum Role {
    VIEWER, OPERATOR, ADMIN;

    boolean atLeast(Role other) {
        return compareTo(other) >= 0;
    }

    static Role parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unknown role '" + text + "': use viewer, operator or admin");
        }
    }
}
