package io.autoweave.plugin.installer.internal.config;

import io.autoweave.commons.config.ConfigRefusal;

/** The installer's configuration PID and its check, shared by the components that read it. */
public final class InstallerConfigs {
    /** One configuration for the installer, the repositories and the autostart. */
    public static final String PID = "io.autoweave.plugin.installer";

    private InstallerConfigs() {
    }

    /**
     * The check of {@code io.autoweave.plugin.installer} as a whole, shared by the installer, the repositories and
     * the autostart (one file, three components), so none runs on a value another refuses.
     */
    public static InstallerConfig check(InstallerConfig config) {
        ConfigRefusal.range("download.timeout.seconds", config.download_timeout_seconds(), 1, 3600);
        ConfigRefusal.range("start.timeout.seconds", config.start_timeout_seconds(), 1, 600);
        ConfigRefusal.notBlank("trust.store.path", config.trust_store_path());
        try {
            io.autoweave.plugin.installer.PluginMode.parse(config.default_mode());
        } catch (IllegalArgumentException e) {
            throw new io.autoweave.commons.config.ConfigRefusal("default.mode", config.default_mode(), e.getMessage());
        }
        return config;
    }

}
