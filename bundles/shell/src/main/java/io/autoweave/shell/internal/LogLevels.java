package io.autoweave.shell.internal;

import java.util.Collections;
import java.util.Dictionary;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Logger levels inside the logging system's configuration ({@code org.ops4j.pax.logging}, log4j2 properties with a
 * {@code log4j2.} prefix): the root level is {@code log4j2.rootLogger.level}, a logger's is the pair
 * {@code log4j2.logger.ID.name = LOGGER} / {@code log4j2.logger.ID.level = LEVEL}. Pure: works on the properties.
 */
final class LogLevels {
    static final String PID = "org.ops4j.pax.logging";
    static final String ROOT = "ROOT";
    static final String ROOT_KEY = "log4j2.rootLogger.level";
    static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    private static final Pattern NAME_KEY = Pattern.compile("log4j2\\.logger\\.([^.]+)\\.name");
    private static final Pattern LOGGER = Pattern.compile("[A-Za-z0-9_$.-]{1,200}");

    private LogLevels() {
    }

    /** Logger name → level: ROOT first, then every logger with a level of its own, by name. */
    static Map<String, String> levels(Dictionary<String, Object> props) {
        Map<String, String> out = new TreeMap<>();
        if (props == null) {
            return out;
        }
        for (String key : Collections.list(props.keys())) {
            Matcher m = NAME_KEY.matcher(key);
            if (m.matches()) {
                Object level = props.get("log4j2.logger." + m.group(1) + ".level");
                out.put(String.valueOf(props.get(key)), level == null ? "(inherited)" : String.valueOf(level));
            }
        }
        Map<String, String> ordered = new java.util.LinkedHashMap<>();
        Object root = props.get(ROOT_KEY);
        ordered.put(ROOT, root == null ? "(log4j2 default: ERROR)" : String.valueOf(root));
        ordered.putAll(out);
        return ordered;
    }

    /**
     * Sets {@code logger} to {@code level} ({@code default} removes its own level so it inherits again) in
     * {@code props}; returns a line saying what changed.
     *
     * @throws IllegalArgumentException saying what to type instead
     */
    static String set(Dictionary<String, Object> props, String logger, String level) {
        if (logger == null || !LOGGER.matcher(logger).matches()) {
            throw new IllegalArgumentException("logger name '" + logger + "': use a logger or package name such as "
                    + "io.autoweave.usb.pipeline, or ROOT");
        }
        String l = level == null ? "" : level.trim().toUpperCase(Locale.ROOT);
        boolean reset = l.equals("DEFAULT");
        if (!reset && !LEVELS.contains(l)) {
            throw new IllegalArgumentException("level '" + level + "': use TRACE, DEBUG, INFO, WARN, ERROR, OFF, or "
                    + "default (inherit from the parent logger again)");
        }
        if (logger.equalsIgnoreCase(ROOT)) {
            if (reset) {
                throw new IllegalArgumentException("ROOT has no parent to inherit from: give it a level");
            }
            Object before = props.get(ROOT_KEY);
            props.put(ROOT_KEY, l);
            return "ROOT: " + before + " -> " + l;
        }
        String id = idOf(props, logger);
        if (reset) {
            if (id == null) {
                return logger + ": has no level of its own (nothing to reset)";
            }
            Object before = props.remove("log4j2.logger." + id + ".level");
            props.remove("log4j2.logger." + id + ".name");
            return logger + ": " + before + " -> inherited";
        }
        if (id == null) {
            id = freeId(props, logger);
            props.put("log4j2.logger." + id + ".name", logger);
        }
        Object before = props.put("log4j2.logger." + id + ".level", l);
        return logger + ": " + (before == null ? "inherited" : before) + " -> " + l;
    }

    private static String idOf(Dictionary<String, Object> props, String logger) {
        for (String key : Collections.list(props.keys())) {
            Matcher m = NAME_KEY.matcher(key);
            if (m.matches() && logger.equals(String.valueOf(props.get(key)))) {
                return m.group(1);
            }
        }
        return null;
    }

    /** An identifier log4j2 accepts (no dots) that no other logger entry uses. */
    private static String freeId(Dictionary<String, Object> props, String logger) {
        String base = "aw_" + logger.replaceAll("[^A-Za-z0-9]", "_");
        String id = base;
        for (int i = 2; props.get("log4j2.logger." + id + ".name") != null; i++) {
            id = base + "_" + i;
        }
        return id;
    }
}
