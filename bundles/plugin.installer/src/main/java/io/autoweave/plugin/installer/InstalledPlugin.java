package io.autoweave.plugin.installer;

import io.autoweave.api.plugin.PluginState;
import io.autoweave.api.plugin.SecurityLevel;

/**
 * One installed plugin.
 *
 * @param bundleId the framework's bundle id
 * @param symbolicName Bundle-SymbolicName
 * @param version Bundle-Version
 * @param level the security level it was installed at
 * @param location {@code plugin:<level>/<symbolic-name>}
 * @param state lifecycle state derived from the bundle state
 * @param signer subject of the signer certificate(s) the install gate accepted, or null if unknown
 * @param sha256 SHA-256 of the installed archive (lower-case hex), or null if unknown
 * @param mode in the runtime's framework, or in a plugin host of its own (then {@code bundleId} is -1 and the
 *        location {@code isolated:<level>/<symbolic-name>})
 */
public record InstalledPlugin(long bundleId, String symbolicName, String version, SecurityLevel level,
        String location, PluginState state, String signer, String sha256, PluginMode mode) {

    /** A plugin in the runtime's framework. */
    public InstalledPlugin(long bundleId, String symbolicName, String version, SecurityLevel level, String location,
            PluginState state, String signer, String sha256) {
        this(bundleId, symbolicName, version, level, location, state, signer, sha256, PluginMode.IN_PROCESS);
    }

    /** Whether it runs out of process. */
    public boolean isolated() {
        return mode == PluginMode.ISOLATED;
    }
}
