package io.autoweave.commons.ident;

import java.util.regex.Pattern;

/**
 * Identifiers a request may name, checked before anything acts on them or writes them anywhere. Each check returns
 * the value unchanged or throws {@link IllegalArgumentException} with a message that says what a valid one looks
 * like (never echoing more than a short, printable prefix of what was sent).
 */
public final class Identifiers {
    /** Longest bundle symbolic name accepted: far above any real one, far below what would bloat a file or a log. */
    public static final int MAX_SYMBOLIC_NAME = 255;
    /** The OSGi grammar: token ('.' token)*, token = [A-Za-z0-9_-]+. */
    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    /** A device signature: SHA-256 as 64 lowercase hex digits. */
    private static final Pattern SIGNATURE = Pattern.compile("[0-9a-f]{64}");

    private Identifiers() {
    }

    /** A bundle symbolic name (a plugin's name) by the OSGi grammar, at most {@value #MAX_SYMBOLIC_NAME} characters. */
    public static String symbolicName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a plugin name (bundle symbolic name) is required");
        }
        if (name.length() > MAX_SYMBOLIC_NAME) {
            throw new IllegalArgumentException("a plugin name has at most " + MAX_SYMBOLIC_NAME + " characters, not "
                    + name.length());
        }
        if (!SYMBOLIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + shown(name) + "' is not a bundle symbolic name: use letters, "
                    + "digits, '_' and '-' in parts separated by single dots, such as com.example.plugin");
        }
        return name;
    }

    /** A device signature: 64 hex digits (upper case is accepted and lowered). */
    public static String signature(String signature) {
        String s = signature == null ? "" : signature.trim().toLowerCase(java.util.Locale.ROOT);
        if (!SIGNATURE.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + shown(signature == null ? "" : signature) + "' is not a device "
                    + "signature: 64 hex digits (SHA-256), as aw:devices and GET /api/v1/devices show them");
        }
        return s;
    }

    /** At most 64 characters of {@code s}, anything but printable ASCII shown as '?'. */
    public static String shown(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
        }
        return s.length() > 64 ? b + "..." : b.toString();
    }
}
