package io.autoweave.plugin.installer;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import io.autoweave.api.plugin.PluginState;
import io.autoweave.api.plugin.SecurityLevel;

/**
 * Installs signed plugins at {@code plugin:<level>/<symbolic-name>} ({@link io.autoweave.api.plugin.PluginLocation})
 * and removes them. The location decides the
 * permissions (see {@code security-policies/50-plugins.policy}); bundles the installer did not install never resolve.
 */
@ProviderType
public interface PluginInstaller {

    /**
     * Verifies and installs a plugin, then starts it. Nothing stays installed when any step fails.
     *
     * @param source a file path, a {@code file:} URL, an {@code https:} URL, an {@code http:} URL to a loopback
     *        address, or {@code obr:NAME[;version=RANGE][;repository=URL]}: the newest plugin of that symbolic name
     *        from the configured repositories (or the one given), installed with the dependencies it needs from them;
     *        every one passes the signature gate, and when any is refused none is installed
     * @param level the security level, which selects the plugin's permissions
     * @return the plugin as installed and started
     * @throws PluginInstallException with a {@link PluginInstallException#code() code} and a reason that says what to
     *         fix
     */
    InstalledPlugin install(String source, SecurityLevel level) throws PluginInstallException;

    /**
     * Verifies and installs a plugin to run in the given mode: {@link PluginMode#IN_PROCESS} as
     * {@link #install(String, SecurityLevel)}; {@link PluginMode#ISOLATED} through the same signature gate and block
     * list, then in a plugin host of its own with its level's limits (a file or URL source; an {@code obr:} source
     * with dependencies is refused). {@link #install(String, SecurityLevel)} uses the installer's
     * {@code default.mode}.
     *
     * @throws PluginInstallException as {@link #install(String, SecurityLevel)}, and {@code ISOLATION_UNAVAILABLE}
     *         when this runtime cannot run plugins out of process, {@code IN_PROCESS_UNAVAILABLE} when it cannot run
     *         them in process (no SecurityManager: Java 24 and later)
     * @since 2.1
     */
    InstalledPlugin install(String source, SecurityLevel level, PluginMode mode) throws PluginInstallException;

    /**
     * The plugin state machine: every installed plugin by symbolic name, then the recent candidates that never
     * became one (DISCOVERED, VALIDATED, REJECTED, or FAILED at their first start) by source. Transitions are posted on
     * EventAdmin as {@code autoweave/plugin/<STATE>}.
     */
    Map<String, PluginState> states();

    /** The installed plugins: those in process in bundle id order, then the isolated ones by name. */
    List<InstalledPlugin> plugins();

    /**
     * Starts an installed plugin (persistently: it starts again after a restart); audited as {@code started}, or
     * {@code start-refused} / {@code start-failed}.
     *
     * @param symbolicNameOrId the plugin's symbolic name or bundle id
     * @param actor who asks, for the audit log (for example "admin in the web console")
     * @throws PluginInstallException {@code NOT_INSTALLED}, {@code NOT_A_PLUGIN}, {@code BLOCKED} (unblock it first),
     *         {@code LOCKDOWN}, or {@code START_FAILED} with the framework's reason
     * @since 1.2
     */
    InstalledPlugin start(String symbolicNameOrId, String actor) throws PluginInstallException;

    /**
     * Stops a plugin (persistently); audited as {@code stopped} or {@code stop-failed}.
     *
     * @throws PluginInstallException {@code NOT_INSTALLED}, {@code NOT_A_PLUGIN} or {@code STOP_FAILED}
     * @since 1.2
     */
    InstalledPlugin stop(String symbolicNameOrId, String actor) throws PluginInstallException;

    /**
     * Uninstalls a plugin.
     *
     * @param symbolicNameOrId the plugin's symbolic name or bundle id
     * @return the plugin as it was before removal
     * @throws PluginInstallException {@code NOT_INSTALLED} when no plugin matches, {@code NOT_A_PLUGIN} for a bundle of
     *         the runtime itself
     */
    InstalledPlugin uninstall(String symbolicNameOrId) throws PluginInstallException;
}
