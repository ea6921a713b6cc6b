package io.autoweave.usb.linux.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Incremental parser of {@code udevadm monitor --property} output, fed one line at a time. The format: a banner
 * (ignored), then blocks separated by an empty line, each a header
 * {@code UDEV  [29.043915] add      /devices/.../1-1 (usb)} followed by {@code KEY=VALUE} lines.
 *
 * <p>Robust against what a pipe can deliver: a header without the blank line before it closes the previous
 * block, lines that are neither header nor property are skipped, a block without {@code ACTION} or
 * {@code DEVPATH} (from a header or properties) is dropped and counted, and a runaway block stops growing at
 * {@link #MAX_PROPERTIES}. Not thread-safe: one reader thread owns it.
 */
final class UdevMonitorParser {

    static final int MAX_PROPERTIES = 512;
    private static final int MAX_VALUE_CHARS = 4096;
    private static final Pattern HEADER =
            Pattern.compile("^(UDEV|KERNEL)\\s*\\[[^\\]]*\\]\\s+(\\S+)\\s+(\\S+)(?:\\s+\\(([^)]*)\\))?\\s*$");

    private String origin;
    private String action;
    private String devpath;
    private final Map<String, String> properties = new LinkedHashMap<>();
    private boolean open;
    private long malformed;

    /** Feeds one line (without its line terminator); returns a block when this line completed one. */
    Optional<UdevBlock> line(String line) {
        if (line == null || line.isBlank()) {
            return finish();
        }
        Matcher header = HEADER.matcher(line);
        if (header.matches()) {
            Optional<UdevBlock> previous = finish();
            open = true;
            origin = header.group(1);
            action = header.group(2);
            devpath = header.group(3);
            return previous;
        }
        int eq = line.indexOf('=');
        if (eq <= 0 || !isKey(line, eq)) {
            return Optional.empty(); // banner or noise
        }
        open = true;
        if (properties.size() < MAX_PROPERTIES) {
            String value = line.substring(eq + 1);
            properties.put(line.substring(0, eq), value.length() > MAX_VALUE_CHARS ? value.substring(0, MAX_VALUE_CHARS) : value);
        }
        return Optional.empty();
    }

    /** Completes the block in progress, e.g. at end of stream. */
    Optional<UdevBlock> finish() {
        if (!open) {
            return Optional.empty();
        }
        String a = properties.getOrDefault("ACTION", action);
        String d = properties.getOrDefault("DEVPATH", devpath);
        Optional<UdevBlock> block;
        if (a == null || a.isEmpty() || d == null || d.isEmpty()) {
            malformed++;
            block = Optional.empty();
        } else {
            block = Optional.of(new UdevBlock(origin, a, d, properties));
        }
        open = false;
        origin = null;
        action = null;
        devpath = null;
        properties.clear();
        return block;
    }

    /** Blocks dropped because they named no action or device path. */
    long malformed() {
        return malformed;
    }

    /** Property keys are upper-case identifiers; this keeps banner prose with a '=' in it out of the block. */
    private static boolean isKey(String line, int eq) {
        for (int i = 0; i < eq; i++) {
            char c = line.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
