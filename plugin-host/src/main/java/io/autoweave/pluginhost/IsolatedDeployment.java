package io.autoweave.pluginhost;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A verified plugin to run out of process.
 *
 * @param symbolicName the plugin's Bundle-SymbolicName
 * @param version its Bundle-Version
 * @param jar the verified jar, kept by the caller for as long as the deployment exists
 * @param level {@code high}, {@code medium} or {@code low}: the host's limits
 * @param usbGrant the UsbPermission names its level grants ({@code *}: every device); the jar's own
 *        {@code OSGI-INF/permissions.perm} narrows it further
 * @param runtimeBundles symbolic names of runtime bundles copied into the host before the plugin (for example
 *        Declarative Services and the SLF4J API)
 * @param signer who signed it, as the install gate accepted it
 * @param sha256 the jar's SHA-256
 * @param source where it was installed from
 */
public record IsolatedDeployment(String symbolicName, String version, Path jar, String level, List<String> usbGrant,
        List<String> runtimeBundles, String signer, String sha256, String source) {

    public IsolatedDeployment {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(jar, "jar");
        Objects.requireNonNull(level, "level");
        usbGrant = List.copyOf(usbGrant);
        runtimeBundles = List.copyOf(runtimeBundles);
    }
}
