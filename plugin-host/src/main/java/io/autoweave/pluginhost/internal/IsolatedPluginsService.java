package io.autoweave.pluginhost.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.autoweave.pluginhost.IsolatedDeployment;
import io.autoweave.pluginhost.IsolatedPluginInfo;
import io.autoweave.pluginhost.IsolatedPlugins;
import io.autoweave.pluginhost.supervisor.HostFiles;

/**
 * {@link IsolatedPlugins} over Configuration Admin: a deployment is the named factory configuration
 * {@code io.autoweave.plugin.isolated~<symbolic-name>} (kept by Configuration Admin, so it runs again after a
 * restart), which {@link IsolatedPluginComponent} turns into a supervised host. Hosts an operator configured by hand
 * (a {@code .cfg} file) are listed, but only the operator changes them: this service never rewrites a file.
 */
@Component(service = IsolatedPlugins.class)
public final class IsolatedPluginsService implements IsolatedPlugins {
    private static final long POLL_MILLIS = 50;
    /** How long Configuration Admin may take to hand a new configuration to its component. */
    static final long CONFIGURE_MILLIS = 10_000;

    @Reference
    ConfigurationAdmin configurations;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final List<IsolatedPluginComponent> components = new CopyOnWriteArrayList<>();

    /** Deployments, removals and enablings one at a time. */
    private final Object lock = new Object();

    @Override
    public IsolatedPluginInfo deploy(IsolatedDeployment d, long waitMillis) throws IOException {
        synchronized (lock) {
            Optional<IsolatedPluginComponent> other = component(d.symbolicName());
            if (other.isPresent() && !other.get().installed()) {
                throw new IllegalStateException(d.symbolicName() + " already runs isolated from the operator's "
                        + "configuration " + other.get().pid() + ": delete that configuration first");
            }
            String pid = IsolatedPluginComponent.PID + "~" + d.symbolicName();
            Configuration there = existing(pid);
            if (there != null && !IsolatedPluginComponent.INSTALLER.equals(String.valueOf(there.getProperties() == null
                    ? null : there.getProperties().get("installed.by")))) {
                throw new IllegalStateException("the operator's configuration " + pid + " exists (another jar may be "
                        + "named in it): delete it first");
            }
            Configuration c = configurations.getFactoryConfiguration(IsolatedPluginComponent.PID, d.symbolicName(),
                    "?");
            String id = UUID.randomUUID().toString();
            Dictionary<String, Object> p = new Hashtable<>();
            p.put("plugin.jar", d.jar().toAbsolutePath().toString());
            p.put("level", d.level());
            p.put("usb.grant", d.usbGrant().toArray(String[]::new));
            p.put("runtime.bundles", d.runtimeBundles().toArray(String[]::new));
            p.put("enabled", Boolean.TRUE);
            p.put("installed.by", IsolatedPluginComponent.INSTALLER);
            p.put("plugin.version", nonNull(d.version()));
            p.put("plugin.signer", nonNull(d.signer()));
            p.put("plugin.sha256", nonNull(d.sha256()));
            p.put("plugin.source", nonNull(d.source()));
            p.put("deployment.id", id);
            c.update(p);
            try {
                return await(d.symbolicName(), id, waitMillis);
            } catch (IOException e) {
                // never leave a deployment behind that the caller believes failed
                try {
                    c.delete();
                } catch (IOException | IllegalStateException x) {
                    e.addSuppressed(x);
                }
                throw e;
            }
        }
    }

    /** The configuration of that PID, or null. */
    private Configuration existing(String pid) throws IOException {
        try {
            Configuration[] found = configurations.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID
                    + "=" + pid + ")");
            return found == null || found.length == 0 ? null : found[0];
        } catch (InvalidSyntaxException e) {
            throw new IOException("configuration id " + pid + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<IsolatedPluginInfo> remove(String symbolicName) throws IOException {
        synchronized (lock) {
            Optional<IsolatedPluginComponent> c = component(symbolicName);
            if (c.isEmpty()) {
                return Optional.empty();
            }
            IsolatedPluginInfo before = c.get().info();
            Path work = c.get().workDir();
            Configuration cfg = managed(c.get());
            cfg.delete();
            // the component goes, then its host stops (the plugin's stop() runs, or it is killed after the grace)
            long deadline = System.currentTimeMillis() + 15_000;
            while (!c.get().stopped() && System.currentTimeMillis() < deadline) {
                sleep();
            }
            if (work != null && c.get().stopped()) {
                // a later plugin of that name, maybe from another signer, starts with nothing of this one's data
                HostFiles.deleteTree(work);
            }
            return Optional.of(before);
        }
    }

    @Override
    public Optional<IsolatedPluginInfo> setEnabled(String symbolicName, boolean enabled, long waitMillis)
            throws IOException {
        synchronized (lock) {
            Optional<IsolatedPluginComponent> c = component(symbolicName);
            if (c.isEmpty()) {
                return Optional.empty();
            }
            Configuration cfg = managed(c.get());
            Dictionary<String, Object> p = cfg.getProperties();
            String id = UUID.randomUUID().toString();
            p.put("enabled", enabled);
            p.put("deployment.id", id);
            cfg.update(p);
            return Optional.of(await(symbolicName, id, waitMillis));
        }
    }

    @Override
    public List<IsolatedPluginInfo> plugins() {
        return components.stream().map(IsolatedPluginComponent::info)
                .sorted(Comparator.comparing(IsolatedPluginInfo::symbolicName)).toList();
    }

    private Optional<IsolatedPluginComponent> component(String symbolicName) {
        return components.stream().filter(c -> c.name().equals(symbolicName)).findFirst();
    }

    /** The configuration behind a host the installer deployed; one an operator wrote is refused. */
    private Configuration managed(IsolatedPluginComponent c) throws IOException {
        if (!c.installed()) {
            throw new IllegalStateException(c.name() + " runs isolated from the operator's configuration " + c.pid()
                    + ": change or delete that configuration (DATA/etc) instead");
        }
        try {
            Configuration[] found = configurations.listConfigurations("(" + org.osgi.framework.Constants.SERVICE_PID
                    + "=" + c.pid() + ")");
            if (found == null || found.length == 0) {
                throw new IOException("the configuration " + c.pid() + " of " + c.name() + " is gone");
            }
            return found[0];
        } catch (InvalidSyntaxException e) {
            throw new IOException("configuration id " + c.pid() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the component of this deployment exists (at most {@value #CONFIGURE_MILLIS} ms: Configuration Admin
     * delivers the configuration on its own thread), then until it is settled: running, blocked, stopped, refused, or
     * crashed once, at most {@code waitMillis}.
     */
    private IsolatedPluginInfo await(String symbolicName, String deploymentId, long waitMillis) throws IOException {
        long t0 = System.currentTimeMillis();
        long settleBy = t0 + Math.max(0, waitMillis);
        long configureBy = t0 + Math.max(waitMillis, CONFIGURE_MILLIS);
        while (true) {
            Optional<IsolatedPluginComponent> c = components.stream()
                    .filter(x -> deploymentId.equals(x.deploymentId())).findFirst();
            long now = System.currentTimeMillis();
            if (c.isPresent()) {
                IsolatedPluginInfo info = c.get().info();
                boolean settled = !info.state().equals("STARTING") || info.crashes() > 0;
                if (settled || now >= settleBy) {
                    return info;
                }
            } else if (now >= configureBy) {
                throw new IOException("the host of " + symbolicName + " was not configured within "
                        + (now - t0) + " ms (is the plugin-host bundle active?)");
            }
            sleep();
        }
    }

    private static void sleep() throws java.io.InterruptedIOException {
        try {
            Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a plugin host");
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
