package io.autoweave.pluginhost;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The plugins run out of process, each in a supervised plugin host. A deployment is kept as a factory configuration
 * ({@code io.autoweave.plugin.isolated~<symbolic-name>}), so it runs again after a restart; this service never
 * verifies a jar: the installer does, before it deploys one.
 */
@ProviderType
public interface IsolatedPlugins {

    /**
     * Runs a plugin in its own host (replacing a deployment of the same symbolic name) and waits until the host is
     * ready, has failed once, or {@code waitMillis} have passed.
     *
     * @return the plugin as it is then: {@code RUNNING}, or another state with {@link IsolatedPluginInfo#problem()}
     * @throws IOException when the configuration cannot be written
     */
    IsolatedPluginInfo deploy(IsolatedDeployment deployment, long waitMillis) throws IOException;

    /**
     * Stops a plugin's host and forgets its deployment.
     *
     * @return the plugin as it was, or empty when no plugin of that name runs isolated
     */
    Optional<IsolatedPluginInfo> remove(String symbolicName) throws IOException;

    /**
     * Starts or stops a plugin's host, persistently (a stopped plugin stays stopped after a restart).
     *
     * @return the plugin as it is then, or empty when no plugin of that name runs isolated
     */
    Optional<IsolatedPluginInfo> setEnabled(String symbolicName, boolean enabled, long waitMillis) throws IOException;

    /** Every plugin run out of process, deployed by the installer or configured by the operator, by name. */
    List<IsolatedPluginInfo> plugins();

    /** One plugin, when it runs isolated. */
    default Optional<IsolatedPluginInfo> plugin(String symbolicName) {
        return plugins().stream().filter(p -> p.symbolicName().equals(symbolicName)).findFirst();
    }
}
