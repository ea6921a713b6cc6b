package io.autoweave.pluginhost.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarFile;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbEventListener;
import io.autoweave.pluginhost.supervisor.Confinement;
import io.autoweave.pluginhost.supervisor.IsolatedPlugin;
import io.autoweave.security.SecurityMonitor;

/**
 * One configured plugin run out of process: validates its configuration, starts the supervised host
 * ({@link IsolatedPlugin}) and registers it as a {@link UsbEventListener}, so the pipeline feeds it like any
 * listener (this bundle is a core bundle: the pipeline's own permission check passes, and the plugin's grant is
 * applied by {@link PluginGrant} before an event is queued for the host). Every supervision step is audited through
 * the security monitor. A bad configuration never takes the component down: it is logged and audited, and the plugin
 * does not run until the configuration is fixed.
 */
@Designate(ocd = IsolatedPluginConfig.class, factory = true)
// immediate: a delayed component would start its plugin only once somebody asked for the service (aw:isolated)
@Component(service = IsolatedPluginComponent.class, configurationPid = IsolatedPluginComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public final class IsolatedPluginComponent {
    static final String PID = "io.autoweave.plugin.isolated";
    private static final Logger LOG = LoggerFactory.getLogger(IsolatedPluginComponent.class);
    private static final Set<String> LEVELS = Set.of("high", "medium", "low");

    @Reference
    SecurityMonitor monitor;

    private volatile IsolatedPlugin plugin;
    private volatile ServiceRegistration<UsbEventListener> registration;
    private volatile String problem;
    private volatile String name = "?";

    @Activate
    void activate(BundleContext ctx, IsolatedPluginConfig config) {
        name = String.valueOf(config.plugin_jar()); // until the jar's symbolic name is known
        try {
            IsolatedPlugin.Settings s = settings(ctx, config);
            name = s.bsn();
            Path jar = s.pluginJar();
            PluginGrant grant = PluginGrant.of(config.usb_grant(), jar);
            Confinement confinement = Confinement.detect();
            if (!confinement.bwrap() && !config.allow_unsandboxed()) {
                throw new IllegalArgumentException("bubblewrap (/usr/bin/bwrap) is missing, so the host would share "
                        + "the runtime's network and file system: install it (apt-get install bubblewrap) or set "
                        + "allow.unsandboxed = true");
            }
            IsolatedPlugin p = new IsolatedPlugin(s, confinement, grant::mayMonitor, new IsolatedPlugin.Events() {
                @Override
                public void audit(String decision, String rule, String detail) {
                    monitor.audit(decision, s.bsn(), rule, detail);
                    LOG.info("isolated plugin {}: {} ({}) {}", s.bsn(), decision, rule, detail);
                }

                @Override
                public void log(String stream, String line) {
                    LOG.info("[{} {}] {}", s.bsn(), stream, line);
                }
            });
            monitor.audit("host-configured", s.bsn(), "isolated:" + s.level(), jar + ", " + grant + "; "
                    + confinement.describe());
            plugin = p.start();
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("autoweave.isolated.plugin", s.bsn());
            registration = ctx.registerService(UsbEventListener.class, p, props);
        } catch (IllegalArgumentException | IOException e) {
            problem = e.getMessage();
            LOG.error("isolated plugin configuration refused, the plugin does not run until it is fixed: {}",
                    e.getMessage());
            monitor.audit("host-config-refused", name, "isolated:config", e.getMessage());
        }
    }

    /** @throws IllegalArgumentException saying which key to fix */
    static IsolatedPlugin.Settings settings(BundleContext ctx, IsolatedPluginConfig c) throws IOException {
        if (c.plugin_jar() == null || c.plugin_jar().isBlank()) {
            throw new IllegalArgumentException("plugin.jar is missing: the absolute path of the plugin bundle");
        }
        Path jar = Path.of(c.plugin_jar().trim());
        if (!jar.isAbsolute() || !Files.isRegularFile(jar) || !Files.isReadable(jar)) {
            throw new IllegalArgumentException("plugin.jar " + jar + " is not a readable file given by an absolute "
                    + "path");
        }
        String bsn = symbolicName(jar);
        String level = c.level() == null ? "" : c.level().trim().toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException("level \"" + c.level() + "\" is not one of high, medium, low");
        }
        List<Path> bundles = new ArrayList<>();
        for (String b : c.bundles()) {
            Path p = Path.of(b.trim());
            if (!p.isAbsolute() || !Files.isRegularFile(p)) {
                throw new IllegalArgumentException("bundles: " + b + " is not a file given by an absolute path");
            }
            bundles.add(p);
        }
        Path javaHome = Path.of(c.java_home().isBlank() ? System.getProperty("java.home") : c.java_home().trim());
        if (!Files.isExecutable(javaHome.resolve("bin/java"))) {
            throw new IllegalArgumentException("java.home " + javaHome + " has no bin/java");
        }
        positive("start.timeout.ms", c.start_timeout_ms());
        positive("heartbeat.timeout.ms", c.heartbeat_timeout_ms());
        positive("max.crashes", c.max_crashes());
        positive("backoff.ms", c.backoff_ms());
        positive("queue.capacity", c.queue_capacity());
        positive("log.lines.per.second", c.log_lines_per_second());
        if (c.backoff_max_ms() < c.backoff_ms()) {
            throw new IllegalArgumentException("backoff.max.ms " + c.backoff_max_ms() + " is below backoff.ms "
                    + c.backoff_ms());
        }
        Path work = ctx.getDataFile("hosts").toPath().resolve(bsn.replaceAll("[^A-Za-z0-9._-]", "_"));
        List<Path> cp = HostLibraries.write(ctx, ctx.getDataFile("lib").toPath());
        return new IsolatedPlugin.Settings(bsn, level, jar, bundles, work, javaHome, cp, c.start_timeout_ms(),
                c.heartbeat_timeout_ms(), c.max_crashes(), c.backoff_ms(), c.backoff_max_ms(), c.queue_capacity(),
                c.log_lines_per_second());
    }

    private static void positive(String key, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, not " + value);
        }
    }

    private static String symbolicName(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            String bsn = j.getManifest() == null ? null
                    : j.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
            if (bsn == null || bsn.isBlank()) {
                throw new IllegalArgumentException("plugin.jar " + jar + " is not a bundle: no Bundle-SymbolicName");
            }
            return bsn.split(";")[0].trim();
        } catch (IOException e) {
            throw new IllegalArgumentException("plugin.jar " + jar + " is not a jar: " + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        ServiceRegistration<UsbEventListener> r = registration;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
        IsolatedPlugin p = plugin;
        if (p != null) {
            p.close();
            monitor.audit("host-stopped", name, "isolated:deactivate", "configuration removed or runtime stopping");
        }
    }

    /** The running supervisor; null when the configuration was refused. */
    IsolatedPlugin plugin() {
        return plugin;
    }

    String name() {
        return name;
    }

    /** One row of {@code aw:isolated}. */
    String status() {
        IsolatedPlugin p = plugin;
        if (p == null) {
            return name + " NOT RUNNING: " + problem;
        }
        return String.format("%s %s level=%s starts=%d crashes=%d sent=%d acked=%d missed=%d withheld=%d heap=%dMB "
                + "threads=%d logDropped=%d start=%dms%s", name, p.state(),
                p.level() + "(" + p.limits().describe() + ")", p.starts(), p.crashes(),
                p.sent(), p.acked(), p.missed(), p.withheld(), p.heapBytes() >> 20, p.threads(), p.logDropped(),
                p.startMillis(), p.blockReason() == null ? "" : " blocked: " + p.blockReason());
    }
}
