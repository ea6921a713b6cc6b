package io.autoweave.plugin.installer.internal.isolated;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

import io.autoweave.api.plugin.PluginState;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.commons.ident.Identifiers;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.PluginMode;
import io.autoweave.plugin.installer.internal.lifecycle.InstallRecorder;
import io.autoweave.plugin.installer.internal.lifecycle.InstalledPlugins;
import io.autoweave.plugin.installer.internal.lifecycle.PluginLifecycle;
import io.autoweave.plugin.installer.internal.verify.Verdict;
import io.autoweave.pluginhost.IsolatedDeployment;
import io.autoweave.pluginhost.IsolatedPluginInfo;
import io.autoweave.pluginhost.IsolatedPlugins;
import io.autoweave.security.SecurityMonitor;

/**
 * Plugins installed in isolated mode: after the same signature gate and block list as every install, the verified
 * jar is kept under {@code DATA/plugins/isolated/} and handed to the plugin-host bundle ({@link IsolatedPlugins}),
 * which runs it in a confined JVM of its own. Listing, start, stop and uninstall of those plugins are here too; each
 * outcome goes to the {@link InstallRecorder} like the in-process ones.
 */
public final class IsolatedInstalls {
    /** Where isolated plugins are located, as {@code plugin:<level>/<bsn>} is for those in process. */
    public static final String LOCATION_PREFIX = "isolated:";
    /** Every level's policy grants {@code UsbPermission "*" "monitor"} (security-policies/50-plugins.policy). */
    private static final List<String> LEVEL_GRANT = List.of("*");

    private final Path dir;
    private final Supplier<IsolatedPlugins> hosts;
    private final PluginLifecycle lifecycle;
    private final InstallRecorder record;
    private final SecurityMonitor monitor;

    public IsolatedInstalls(Path dataDir, Supplier<IsolatedPlugins> hosts, PluginLifecycle lifecycle,
            InstallRecorder record, SecurityMonitor monitor) {
        this.dir = dataDir.resolve("plugins").resolve("isolated");
        this.hosts = hosts;
        this.lifecycle = lifecycle;
        this.record = record;
        this.monitor = monitor;
    }

    /** @throws PluginInstallException ISOLATION_UNAVAILABLE when the plugin-host bundle is not active */
    public void requireAvailable() throws PluginInstallException {
        require();
    }

    private IsolatedPlugins require() throws PluginInstallException {
        IsolatedPlugins h = hosts.get();
        if (h == null) {
            throw new PluginInstallException(InstallError.ISOLATION_UNAVAILABLE, "this runtime cannot run plugins "
                    + "isolated: the plugin-host bundle (io.autoweave.plugin.host) is not active (aw:health, "
                    + "lb plugin.host)");
        }
        return h;
    }

    /** A plugin of that name already runs isolated: DUPLICATE. */
    public void refuseDuplicate(String bsn, String version) throws PluginInstallException {
        IsolatedPlugins h = hosts.get();
        Optional<IsolatedPluginInfo> there = h == null ? Optional.empty() : h.plugin(bsn);
        if (there.isPresent()) {
            throw new PluginInstallException(InstallError.DUPLICATE, bsn + " " + there.get().version() + " runs "
                    + "isolated already (" + location(there.get()) + "); uninstall it first (aw:uninstall " + bsn
                    + ") to install " + version);
        }
    }

    /** A deployment made, its host not yet known to be ready. */
    public record Deployed(String source, String symbolicName, Path jar, String sha256, String signedBy,
            String deployment) {
    }

    /**
     * Keeps the verified jar and deploys it (under the installer's lock: the duplicate checks and this are one step);
     * {@link #finish} then waits for the host outside the lock.
     */
    public Deployed deploy(String source, Verdict v, SecurityLevel level, List<String> runtimeBundles)
            throws PluginInstallException, IOException {
        IsolatedPlugins h = require();
        String bsn = v.symbolicName();
        try {
            Identifiers.symbolicName(bsn); // it names a file and a configuration: never a path
        } catch (IllegalArgumentException e) {
            throw new PluginInstallException(InstallError.MANIFEST_INVALID, "Bundle-SymbolicName: " + e.getMessage(), e);
        }
        Files.createDirectories(dir);
        Path jar = dir.resolve(bsn + ".jar");
        Path tmp = dir.resolve(bsn + ".jar.tmp");
        Files.copy(v.verifiedCopy(), tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        String signer = v.reason().startsWith("signed by ") ? v.reason().substring("signed by ".length())
                : v.reason();
        IsolatedPluginInfo deployed;
        try {
            deployed = h.deploy(new IsolatedDeployment(bsn, v.version(), jar, level.name().toLowerCase(Locale.ROOT),
                    LEVEL_GRANT, runtimeBundles, signer, v.sha256(), source), 0);
        } catch (IllegalStateException e) {
            Files.deleteIfExists(jar);
            throw new PluginInstallException(InstallError.DUPLICATE, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(jar);
            throw e;
        }
        return new Deployed(source, bsn, jar, v.sha256(), v.reason(), deployed.deployment());
    }

    /**
     * Waits (at most {@code waitMillis}) until the host is ready. One that does not come up is removed again: nothing
     * stays installed when the install fails.
     */
    public InstalledPlugin finish(Deployed d, long waitMillis) throws PluginInstallException {
        IsolatedPlugins h = require();
        String bsn = d.symbolicName();
        long deadline = System.currentTimeMillis() + waitMillis;
        IsolatedPluginInfo info = null;
        while (true) {
            info = h.plugin(bsn).orElse(null);
            if (info == null || !d.deployment().equals(info.deployment())) {
                // stopped, uninstalled or installed again by someone else meanwhile: theirs now, not ours to remove
                lifecycle.isolated(d.source(), bsn, LOCATION_PREFIX + "?/" + bsn, PluginState.FAILED,
                        "changed while it started");
                throw new PluginInstallException(InstallError.BUSY, bsn + " was stopped, uninstalled or installed "
                        + "again while its host started; aw:plugins shows where it stands");
            }
            boolean settled = !info.state().equals("STARTING") || info.crashes() > 0;
            if (settled || System.currentTimeMillis() >= deadline) {
                break;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!info.running()) {
            String why = info.problem() != null ? info.problem()
                    : System.currentTimeMillis() < deadline ? "its host ended before it was ready (" + info.state() + ")"
                    : "its host was not ready within " + waitMillis + " ms";
            discard(h, bsn, d.jar());
            lifecycle.isolated(d.source(), bsn, location(info), PluginState.FAILED, why);
            throw new PluginInstallException(InstallError.START_FAILED, bsn + " did not start isolated: " + why
                    + "; nothing stays installed (aw:audit subject=" + bsn + ")");
        }
        InstalledPlugin p = describe(info);
        lifecycle.isolated(d.source(), bsn, p.location(), PluginState.RUNNING, "isolated host ready");
        record.acceptedIsolated(p, d.source(), d.sha256(), d.signedBy());
        return p;
    }

    private void discard(IsolatedPlugins h, String bsn, Path jar) {
        try {
            h.remove(bsn);
            Files.deleteIfExists(jar);
        } catch (IOException | RuntimeException e) {
            monitor.audit("uninstall-failed", bsn, "isolated", "cannot remove the failed deployment: " + e);
        }
    }

    public List<InstalledPlugin> plugins() {
        IsolatedPlugins h = hosts.get();
        return h == null ? List.of() : h.plugins().stream().map(IsolatedInstalls::describe).toList();
    }

    /** The isolated plugin of that name, if one runs so. */
    public Optional<InstalledPlugin> find(String bsn) {
        IsolatedPlugins h = hosts.get();
        return h == null ? Optional.empty() : h.plugin(bsn).map(IsolatedInstalls::describe);
    }

    public InstalledPlugin start(String bsn, String actor, long waitMillis) throws PluginInstallException {
        IsolatedPlugins h = require();
        InstalledPlugins.refuseStart(monitor, record, bsn, actor);
        IsolatedPluginInfo info = enable(h, bsn, true, waitMillis);
        if (!info.running()) {
            record.operated("start-failed", bsn, "operator", "by " + actor + ": " + info.problem());
            throw new PluginInstallException(InstallError.START_FAILED, bsn + " did not start isolated: "
                    + info.problem());
        }
        lifecycle.isolated(null, bsn, location(info), PluginState.RUNNING, "started by " + actor);
        record.operated("started", bsn, "operator", "by " + actor + " (isolated)");
        return describe(info);
    }

    public InstalledPlugin stop(String bsn, String actor, long waitMillis) throws PluginInstallException {
        IsolatedPluginInfo info = enable(require(), bsn, false, waitMillis);
        lifecycle.isolated(null, bsn, location(info), PluginState.STOPPED, "stopped by " + actor);
        record.operated("stopped", bsn, "operator", "by " + actor + " (isolated)");
        return describe(info);
    }

    private IsolatedPluginInfo enable(IsolatedPlugins h, String bsn, boolean on, long waitMillis)
            throws PluginInstallException {
        try {
            return h.setEnabled(bsn, on, waitMillis).orElseThrow(() -> new PluginInstallException(
                    InstallError.NOT_INSTALLED, "no plugin '" + bsn + "' is installed (aw:plugins lists them)"));
        } catch (IllegalStateException e) {
            throw new PluginInstallException(InstallError.NOT_A_PLUGIN, e.getMessage(), e);
        } catch (IOException e) {
            throw new PluginInstallException(on ? InstallError.START_FAILED : InstallError.STOP_FAILED, bsn + ": "
                    + e.getMessage(), e);
        }
    }

    public InstalledPlugin uninstall(String bsn) throws PluginInstallException {
        IsolatedPlugins h = require();
        Optional<IsolatedPluginInfo> before;
        try {
            before = h.remove(bsn);
        } catch (IllegalStateException e) {
            throw new PluginInstallException(InstallError.NOT_A_PLUGIN, e.getMessage(), e);
        } catch (IOException e) {
            throw new PluginInstallException(InstallError.INSTALL_FAILED, "cannot uninstall " + bsn + ": "
                    + e.getMessage(), e);
        }
        if (before.isEmpty()) {
            throw new PluginInstallException(InstallError.NOT_INSTALLED, "no plugin '" + bsn + "' is installed "
                    + "(aw:plugins lists them)");
        }
        try {
            Files.deleteIfExists(dir.resolve(bsn + ".jar"));
        } catch (IOException e) {
            monitor.audit("uninstall-incomplete", bsn, "isolated", "the jar stays: " + e);
        }
        InstalledPlugin p = describe(before.get());
        lifecycle.isolatedRemoved(bsn, p.location());
        record.uninstalled(p);
        return p;
    }

    static String location(IsolatedPluginInfo i) {
        return LOCATION_PREFIX + i.level() + "/" + i.symbolicName();
    }

    /** An isolated plugin as the operator sees it. */
    static InstalledPlugin describe(IsolatedPluginInfo i) {
        SecurityLevel level;
        try {
            level = SecurityLevel.valueOf(i.level().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            level = null; // an operator's configuration with a bad level: refused, shown as FAILED
        }
        return new InstalledPlugin(-1, i.symbolicName(), i.version(), level, location(i), state(i.state()),
                i.signer(), i.sha256(), PluginMode.ISOLATED);
    }

    static PluginState state(String hostState) {
        switch (hostState) {
            case "RUNNING":
                return PluginState.RUNNING;
            case "STARTING":
            case "RESTARTING":
                return PluginState.STARTING;
            case "BLOCKED":
                return PluginState.BLOCKED;
            case "STOPPED":
                return PluginState.STOPPED;
            default:
                return PluginState.FAILED;
        }
    }
}
