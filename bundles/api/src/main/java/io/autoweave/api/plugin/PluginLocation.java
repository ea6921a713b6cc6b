package io.autoweave.api.plugin;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A plugin's bundle location, and the location scheme of the runtime's bundles in one place. The location decides the permissions
 * (ConditionalPermissionAdmin rows match on it, see {@code security-policies/}):
 * <ul>
 * <li>a plugin is installed at {@code plugin:<level>/<symbolic-name>} ({@link #plugin(SecurityLevel, String)}), with
 * the level in lower case;</li>
 * <li>a bundle of the runtime itself at {@code autoweave:core/<artifact>} ({@link #CORE_PREFIX}).</li>
 * </ul>
 *
 * @param level the plugin's security level
 * @param symbolicName the plugin's {@code Bundle-SymbolicName}
 */
public record PluginLocation(SecurityLevel level, String symbolicName) {
    /** Every plugin location starts with this. */
    public static final String PLUGIN_SCHEME = "plugin:";
    /** Every bundle of the runtime itself (installed by the launcher) starts with this. */
    public static final String CORE_PREFIX = "autoweave:core/";

    public PluginLocation {
        Objects.requireNonNull(level, "level");
        if (symbolicName == null || symbolicName.isEmpty() || symbolicName.indexOf('/') >= 0) {
            throw new IllegalArgumentException("a plugin location needs a symbolic name without '/': '"
                    + symbolicName + "'");
        }
    }

    /** The location of a plugin of this level and symbolic name: {@code plugin:<level>/<symbolic-name>}. */
    public static String plugin(SecurityLevel level, String symbolicName) {
        return new PluginLocation(level, symbolicName).location();
    }

    /** The location prefix shared by every plugin of this level: {@code plugin:<level>/}. */
    public static String pluginPrefix(SecurityLevel level) {
        return PLUGIN_SCHEME + level.name().toLowerCase(Locale.ROOT) + "/";
    }

    /** Whether this location is a plugin's (any level, well formed or not). */
    public static boolean isPlugin(String location) {
        return location != null && location.startsWith(PLUGIN_SCHEME);
    }

    /** Whether this location is a bundle of the runtime itself. */
    public static boolean isCore(String location) {
        return location != null && location.startsWith(CORE_PREFIX);
    }

    /** A plugin location read back; empty when it is not one or its level is unknown. */
    public static Optional<PluginLocation> parsePlugin(String location) {
        if (!isPlugin(location)) {
            return Optional.empty();
        }
        int slash = location.indexOf('/', PLUGIN_SCHEME.length());
        if (slash < 0 || slash == location.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PluginLocation(SecurityLevel.parse(location.substring(PLUGIN_SCHEME.length(),
                    slash)), location.substring(slash + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The level part of a plugin location; {@code null} when it is not one or the level is unknown. */
    public static SecurityLevel levelOf(String location) {
        return parsePlugin(location).map(PluginLocation::level).orElse(null);
    }

    /** This plugin's location string. */
    public String location() {
        return pluginPrefix(level) + symbolicName;
    }

    @Override
    public String toString() {
        return location();
    }
}
