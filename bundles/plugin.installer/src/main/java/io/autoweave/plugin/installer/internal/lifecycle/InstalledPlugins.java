package io.autoweave.plugin.installer.internal.lifecycle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;

import io.autoweave.api.plugin.PluginLocation;
import io.autoweave.api.plugin.PluginState;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.security.SecurityMonitor;

/**
 * The operator's actions on plugins already installed: list, start, stop, uninstall. Each runs the plugin's code on
 * a thread of its own with the start time-out ({@link BundleOps}); each outcome goes to the {@link InstallRecorder}.
 */
public final class InstalledPlugins {
    private final BundleContext ctx;
    private final PluginLedger ledger;
    private final PluginLifecycle lifecycle;
    private final SecurityMonitor monitor;
    private final InstallRecorder record;
    /** The installer's lock: the ledger and the framework's refresh are changed under it. */
    private final Object lock;
    /** The time-outs in force (the installer's configuration, replaced when it changes). */
    private final Supplier<BundleOps> ops;

    public InstalledPlugins(BundleContext ctx, PluginLedger ledger, PluginLifecycle lifecycle, SecurityMonitor monitor,
            InstallRecorder record, Object lock, Supplier<BundleOps> ops) {
        this.ctx = ctx;
        this.ledger = ledger;
        this.lifecycle = lifecycle;
        this.monitor = monitor;
        this.record = record;
        this.lock = lock;
        this.ops = ops;
    }

    /** A plugin whose start() hangs: FAILED, blocked (stopped, kept from resolving), answered at once. */
    public PluginInstallException timedOut(Bundle b, BundleOps.TimedOut e) {
        String bsn = b.getSymbolicName();
        String reason = record.hung(b, ops.get().timeoutMillis());
        return new PluginInstallException(InstallError.START_TIMEOUT, "plugin " + bsn + ": " + reason + ", so it is marked "
                + "FAILED and blocked (aw:audit subject=" + bsn + "); remove it with aw:uninstall " + bsn, e);
    }

    private void refresh(Bundle b) {
        ctx.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b));
    }

    public List<InstalledPlugin> plugins() {
        List<InstalledPlugin> list = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            if (PluginLocation.isPlugin(b.getLocation())) {
                list.add(describe(b));
            }
        }
        return list;
    }

    /** The plugin bundle named by symbolic name or id; NOT_A_PLUGIN for the runtime's own bundles. */
    private Bundle plugin(String symbolicNameOrId, String verb) throws PluginInstallException {
        Bundle found = null;
        for (Bundle b : ctx.getBundles()) {
            if (String.valueOf(b.getBundleId()).equals(symbolicNameOrId)
                    || (b.getSymbolicName() != null && b.getSymbolicName().equals(symbolicNameOrId))) {
                if (!PluginLocation.isPlugin(b.getLocation())) {
                    throw new PluginInstallException(InstallError.NOT_A_PLUGIN, "bundle " + b.getBundleId() + " ("
                            + b.getSymbolicName() + ") at " + b.getLocation() + " is not a plugin; the installer "
                            + verb + " only what it installed");
                }
                found = b;
            }
        }
        if (found == null) {
            throw new PluginInstallException(InstallError.NOT_INSTALLED, "no plugin '" + symbolicNameOrId
                    + "' is installed (aw:plugins lists them)");
        }
        return found;
    }

    /** A start of a blocked plugin, or of any plugin in lockdown, is refused and audited (in process or isolated). */
    public static void refuseStart(SecurityMonitor monitor, InstallRecorder record, String bsn, String actor)
            throws PluginInstallException {
        if (monitor.isBlocked(bsn)) {
            record.operated("start-refused", bsn, "blocklist", "by " + actor + ": blocked");
            throw new PluginInstallException(InstallError.BLOCKED, bsn + " is blocked (" + monitor.blocked().get(bsn)
                    + "); unblock it first (aw:unblock " + bsn + ")");
        }
        if (monitor.isLockdown()) {
            record.operated("start-refused", bsn, "lockdown", "by " + actor + ": the system is locked down");
            throw new PluginInstallException(InstallError.LOCKDOWN, "the system is locked down; no plugin may start "
                    + "(aw:lockdown shows why; aw:lockdown off lifts it)");
        }
    }

    public InstalledPlugin start(String symbolicNameOrId, String actor) throws PluginInstallException {
        Bundle b = plugin(symbolicNameOrId, "starts");
        String bsn = b.getSymbolicName();
        refuseStart(monitor, record, bsn, actor);
        try {
            ops.get().run("start", b, Bundle::start);
        } catch (BundleOps.TimedOut e) {
            record.operated("start-failed", bsn, "start-timeout", "by " + actor + ": " + e.getMessage());
            throw timedOut(b, e);
        } catch (BundleException | IllegalStateException | SecurityException e) {
            record.operated("start-failed", bsn, "operator", "by " + actor + ": " + e.getMessage());
            throw new PluginInstallException(InstallError.START_FAILED, bsn + " did not start: " + e.getMessage(), e);
        }
        record.operated("started", bsn, "operator", "by " + actor);
        return describe(b);
    }

    public InstalledPlugin stop(String symbolicNameOrId, String actor) throws PluginInstallException {
        Bundle b = plugin(symbolicNameOrId, "stops");
        try {
            ops.get().run("stop", b, Bundle::stop);
        } catch (BundleException | IllegalStateException | SecurityException | BundleOps.TimedOut e) {
            record.operated("stop-failed", b.getSymbolicName(), "operator", "by " + actor + ": " + e.getMessage());
            throw new PluginInstallException(InstallError.STOP_FAILED, b.getSymbolicName() + " did not stop: " + e.getMessage(),
                    e);
        }
        record.operated("stopped", b.getSymbolicName(), "operator", "by " + actor);
        return describe(b);
    }

    public InstalledPlugin uninstall(String symbolicNameOrId) throws PluginInstallException {
        Bundle found = plugin(symbolicNameOrId, "removes");
        InstalledPlugin before = describe(found);
        try {
            // bounded: a plugin whose activator still runs holds its bundle lock, and uninstall waits for it
            ops.get().run("uninstall", found, Bundle::uninstall);
        } catch (BundleOps.TimedOut e) {
            throw new PluginInstallException(InstallError.BUSY, before.symbolicName() + " is busy (its start or stop has not "
                    + "returned: " + e.getMessage() + "); try again shortly", e);
        } catch (BundleException e) {
            throw new PluginInstallException(InstallError.INSTALL_FAILED, "cannot uninstall " + before.symbolicName() + ": "
                    + e.getMessage(), e);
        }
        try {
            synchronized (lock) {
                refresh(found);
                ledger.remove(before.location());
            }
        } catch (IOException e) {
            throw new PluginInstallException(InstallError.INSTALL_FAILED, "cannot uninstall " + before.symbolicName() + ": "
                    + e.getMessage(), e);
        }
        record.uninstalled(before);
        return before;
    }

    /** A plugin bundle as the operator sees it: level, state, signer and digest from the ledger. */
    public InstalledPlugin describe(Bundle b) {
        String location = b.getLocation();
        PluginLedger.Entry e = ledger.get(location);
        PluginState state = lifecycle.state(b.getSymbolicName());
        return new InstalledPlugin(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(),
                PluginLocation.levelOf(location), location, state != null ? state : PluginLifecycle.stateOf(b.getState()),
                e == null || e.signer().isEmpty() ? null
                        : e.signer(), e == null ? null : e.sha256());
    }
}
