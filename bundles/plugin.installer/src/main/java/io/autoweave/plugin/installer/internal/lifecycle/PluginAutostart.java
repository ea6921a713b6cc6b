package io.autoweave.plugin.installer.internal.lifecycle;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.api.plugin.PluginLocation;
import io.autoweave.plugin.installer.internal.config.InstallerConfig;
import io.autoweave.plugin.installer.internal.config.InstallerConfigs;

/**
 * Starts the plugins that were running before a restart, once the framework has started (its start level reached,
 * the runtime ready): {@link LocationGuard} holds them back until then, so the framework's start-level thread never
 * runs a plugin's {@code start()}. Each starts on a thread of its own with the start time-out; one that hangs is
 * marked FAILED and blocked like at install, and holds up neither the framework nor the other plugins.
 */
@Component(immediate = true, configurationPid = "io.autoweave.plugin.installer")
public final class PluginAutostart implements FrameworkListener {
    private static final Logger LOG = LoggerFactory.getLogger(PluginAutostart.class);

    private final BundleContext ctx;
    private final LocationGuard guard;
    private final SecurityMonitor monitor;
    private final InstallRecorder record;
    private volatile BundleOps ops;
    /** The installer reports io.autoweave.plugin.installer; this one refuses the same values (the same check). */
    private final LastGoodConfig<InstallerConfig, InstallerConfig> lastGood = new LastGoodConfig<>(
            InstallerConfigs.PID, InstallerConfig.class, InstallerConfigs::check);
    private final AtomicBoolean launched = new AtomicBoolean();

    @Activate
    public PluginAutostart(BundleContext ctx, @Reference LocationGuard guard, @Reference SecurityMonitor monitor,
            @Reference PluginLifecycle lifecycle, InstallerConfig config, Map<String, Object> properties) {
        this.ctx = ctx;
        this.guard = guard;
        this.monitor = monitor;
        this.record = new InstallRecorder(lifecycle, monitor);
        // a refused value: plugins still start after a restart, with the default time-out
        this.ops = BundleOps.of(lastGood.start(null, config, properties));
        ctx.addFrameworkListener(this);
        if (ctx.getBundle(0).getState() == Bundle.ACTIVE) {
            launch();
        }
    }

    /**
     * Applied in place. Without this DS would re-create the component on every change of the file, and the new
     * instance would start the plugins of the ledger once more.
     */
    @Modified
    void modified(InstallerConfig config, Map<String, Object> properties) {
        lastGood.modified(config, properties).ifPresent(c -> ops = BundleOps.of(c));
    }

    @Deactivate
    void deactivate() {
        ctx.removeFrameworkListener(this);
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.STARTED) {
            launch();
        }
    }

    private void launch() {
        if (!launched.compareAndSet(false, true)) {
            return;
        }
        guard.release();
        for (Bundle b : ctx.getBundles()) {
            if (PluginLocation.isPlugin(b.getLocation()) && b.getState() != Bundle.ACTIVE
                    && b.getState() != Bundle.UNINSTALLED
                    && b.adapt(BundleStartLevel.class).isPersistentlyStarted()
                    && b.getHeaders("").get(org.osgi.framework.Constants.FRAGMENT_HOST) == null
                    && !monitor.isBlocked(b.getSymbolicName()) && !monitor.isLockdown()) {
                if (!confined()) {
                    LOG.warn("plugin {} stays stopped: this Java has no SecurityManager, so in process nothing would "
                            + "confine it (run the runtime on Java 17, or uninstall it and install it isolated)",
                            b.getSymbolicName());
                    continue;
                }
                Thread t = new Thread(() -> start(b), "autoweave-plugin-autostart " + b.getSymbolicName());
                t.setDaemon(true);
                t.start();
            }
        }
    }

    @SuppressWarnings("removal")
    private static boolean confined() {
        return System.getSecurityManager() != null;
    }

    private void start(Bundle b) {
        String bsn = b.getSymbolicName();
        try {
            ops.run("start", b, Bundle::start);
            LOG.info("plugin {} started again after the restart", bsn);
        } catch (BundleOps.TimedOut e) {
            String reason = record.hung(b, ops.timeoutMillis());
            record.operated("start-failed", bsn, "start-timeout", "autostart after a restart: " + reason);
        } catch (BundleException | RuntimeException e) {
            LOG.warn("plugin {} did not start after the restart: {}", bsn, e.getMessage());
            record.operated("start-failed", bsn, "autostart", e.getMessage());
        }
    }
}
