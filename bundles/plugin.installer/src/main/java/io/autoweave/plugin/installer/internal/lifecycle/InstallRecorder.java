package io.autoweave.plugin.installer.internal.lifecycle;

import java.util.List;

import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.security.SecurityMonitor;

/**
 * The one outcome path of the installer's operations: each step is reported here once, and this moves the plugin
 * state machine ({@link PluginLifecycle}), writes the audit record ({@link SecurityMonitor#audit}) and the
 * {@code AUDIT} log line. Nothing else in the installer writes an audit record or moves a state.
 */
public final class InstallRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(InstallRecorder.class);

    private final PluginLifecycle lifecycle;
    private final SecurityMonitor monitor;

    public InstallRecorder(PluginLifecycle lifecycle, SecurityMonitor monitor) {
        this.lifecycle = lifecycle;
        this.monitor = monitor;
    }

    /** A dependency installed together with a plugin: its source and, once verified, its symbolic name. */
    public record Dependency(String source, String symbolicName) {
    }

    // ---- install ---------------------------------------------------------------------------------------------------

    /** A candidate source was named: DISCOVERED. */
    public void discovered(String source) {
        lifecycle.discovered(source);
    }

    /** The candidate passed the signature gate: VALIDATED. */
    public void validated(String source, String bsn) {
        lifecycle.validated(source, bsn);
    }

    /** The framework installed it (not started yet): INSTALLED. */
    public void installed(String source, Bundle b) {
        lifecycle.installed(source, b);
    }

    /**
     * An install was refused or failed: audited, and the candidate and its dependencies REJECTED (a plugin whose start
     * failed or hung is already FAILED: {@link #startFailed}, {@link #hung}).
     */
    public void refused(String source, String bsn, SecurityLevel level, PluginInstallException e,
            List<Dependency> dependencies) {
        LOG.warn("AUDIT plugin install refused: source={} level={} code={} reason={}", source, level, e.code(),
                e.getMessage());
        String rule = e.error() == InstallError.LOCKDOWN ? "lockdown"
                : e.error() == InstallError.BLOCKED ? "blocklist" : "install-gate:" + e.code();
        monitor.audit("install-refused", bsn == null ? source : bsn, rule, e.getMessage());
        if (e.error() != InstallError.START_FAILED && e.error() != InstallError.START_TIMEOUT) {
            lifecycle.rejected(source, bsn, e.getMessage());
        }
        for (Dependency d : dependencies) {
            lifecycle.rejected(d.source(), d.symbolicName(), e.getMessage());
        }
    }

    /** The plugins installed together did not start (they are removed next): FAILED. */
    public void startFailed(List<Bundle> bundles, String reason) {
        for (Bundle b : bundles) {
            lifecycle.failed(b, reason);
        }
    }

    /**
     * A plugin's {@code start()} did not return in time: FAILED and blocked (so it never resolves again until an
     * operator unblocks it).
     *
     * @return the reason, for the caller's answer
     */
    public String hung(Bundle b, long timeoutMillis) {
        String bsn = b.getSymbolicName();
        long seconds = timeoutMillis / 1000;
        String reason = "start() did not return within " + seconds + " s";
        LOG.warn("plugin {}: {}; marking it FAILED and blocking it", bsn, reason);
        lifecycle.failed(b, reason);
        monitor.block(bsn, reason, "start-timeout:" + seconds + "s");
        return reason;
    }

    /** A plugin installed and started: audited with where it came from and who signed it. */
    public void accepted(Bundle b, InstalledPlugin p, String source, String role, String sha256, String signedBy) {
        LOG.info("AUDIT plugin installed: {} {} at {} (bundle {}, sha256 {}, {}){}", b.getSymbolicName(),
                b.getVersion(), p.location(), b.getBundleId(), sha256, signedBy, role);
        monitor.audit("install-accepted", b.getSymbolicName(), "install-gate:ACCEPTED",
                p.location() + " from " + source + role + ", sha256 " + sha256 + ", " + signedBy);
    }

    /** A plugin installed isolated and its host ready: audited with where it came from and who signed it. */
    public void acceptedIsolated(InstalledPlugin p, String source, String sha256, String signedBy) {
        LOG.info("AUDIT plugin installed: {} {} at {} (isolated host, sha256 {}, {})", p.symbolicName(), p.version(),
                p.location(), sha256, signedBy);
        monitor.audit("install-accepted", p.symbolicName(), "install-gate:ACCEPTED",
                p.location() + " from " + source + ", sha256 " + sha256 + ", " + signedBy);
    }

    // ---- operator actions on installed plugins -----------------------------------------------------------------------

    /** A start, stop or uninstall asked for by {@code actor}, and how it ended (the state follows the bundle events). */
    public void operated(String decision, String bsn, String rule, String detail) {
        monitor.audit(decision, bsn, rule, detail);
    }

    /** A plugin removed. */
    public void uninstalled(InstalledPlugin before) {
        LOG.info("AUDIT plugin uninstalled: {} {} from {}", before.symbolicName(), before.version(),
                before.location());
        monitor.audit("uninstalled", before.symbolicName(), "operator", before.location());
    }
}
