package io.autoweave.plugin.installer;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import io.autoweave.api.plugin.PluginState;
import io.autoweave.api.plugin.SecurityLevel;

/**
 * Installs signed plugins at {@code plugin:<level>/<symbolic-name>} and removes them. The location decides the
 * permissions (see {@code security-policies/50-plugins.policy}); bundles the installer did not install never resolve.
 */
@ProviderType
public interface PluginInstaller {

    /** Location prefix of every plugin; the rest is {@code <level>/<symbolic-name>}. */
    String LOCATION_PREFIX = "plugin:";

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
     * The plugin state machine: every installed plugin by symbolic name, then the recent candidates that never
     * became one (DISCOVERED, VALIDATED, REJECTED, or FAILED at their first start) by source. Transitions are posted on
     * EventAdmin as {@code autoweave/plugin/<STATE>}.
     */
    Map<String, PluginState> states();

    /** The installed plugins, in bundle id order. */
    List<InstalledPlugin> plugins();

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
