package io.autoweave.pluginhost.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbEventListener;
import io.autoweave.pluginhost.IsolatedPluginInfo;
import io.autoweave.pluginhost.supervisor.Confinement;
import io.autoweave.pluginhost.supervisor.IsolatedPlugin;
import io.autoweave.security.SecurityMonitor;

/**
 * One plugin run out of process, configured by an operator or deployed by the installer through
 * {@link IsolatedPluginsService}: validates its configuration, starts the supervised host ({@link IsolatedPlugin})
 * and registers it as a {@link UsbEventListener}, so the pipeline feeds it like any listener (this bundle is a core
 * bundle: the pipeline's own permission check passes, and the plugin's grant is applied by {@link PluginGrant} before
 * an event is queued for the host). Every supervision step is audited through the security monitor. The block list is
 * the security monitor's: a plugin blocked there (by an operator, an escalation, or its own crashes) has no host, and
 * its host starts again when it is unblocked. A bad configuration never takes the component down: it is logged and
 * audited, and the plugin does not run until the configuration is fixed.
 */
@Designate(ocd = IsolatedPluginConfig.class, factory = true)
// immediate: a delayed component would start its plugin only once somebody asked for the service (aw:isolated)
@Component(service = { IsolatedPluginComponent.class, EventHandler.class },
        configurationPid = IsolatedPluginComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, property = EventConstants.EVENT_TOPIC + "=autoweave/security/*")
public final class IsolatedPluginComponent implements EventHandler {
    static final String PID = "io.autoweave.plugin.isolated";
    static final String INSTALLER = "installer";
    /** Why no host runs while the system is locked down. */
    static final String LOCKDOWN = "the system is locked down (aw:lockdown off lifts it)";
    private static final Logger LOG = LoggerFactory.getLogger(IsolatedPluginComponent.class);
    private static final Set<String> LEVELS = Set.of("high", "medium", "low");

    @Reference
    SecurityMonitor monitor;

    private BundleContext ctx;
    private IsolatedPluginConfig config;
    private String pid;
    private IsolatedPlugin.Settings settings;
    private PluginGrant grant;
    private Confinement confinement;
    private IsolatedPlugin plugin;
    private ServiceRegistration<UsbEventListener> registration;
    private volatile String problem;
    private volatile String name = "?";
    private volatile String version;
    private volatile boolean closed;
    /** Crashes of the hosts of this configuration before the current one. */
    private long earlierCrashes;

    @Activate
    synchronized void activate(BundleContext ctx, IsolatedPluginConfig config, Map<String, Object> properties) {
        this.ctx = ctx;
        this.config = config;
        this.pid = String.valueOf(properties.get(Constants.SERVICE_PID));
        name = String.valueOf(config.plugin_jar()); // until the jar's symbolic name is known
        try {
            IsolatedPlugin.Settings s = settings(ctx, config);
            name = s.bsn();
            version = config.plugin_version().isBlank() ? null : config.plugin_version();
            Path jar = s.pluginJar();
            PluginGrant g = PluginGrant.of(config.usb_grant(), jar);
            Confinement c = Confinement.detect();
            if (!c.bwrap() && !config.allow_unsandboxed()) {
                throw new IllegalArgumentException("bubblewrap (/usr/bin/bwrap) is missing, so the host would share "
                        + "the runtime's network and file system: install it (apt-get install bubblewrap) or set "
                        + "allow.unsandboxed = true");
            }
            settings = s;
            grant = g;
            confinement = c;
            monitor.audit("host-configured", s.bsn(), "isolated:" + s.level(), jar + ", " + g + "; " + c.describe()
                    + (installed() ? "; installed from " + config.plugin_source() + ", sha256 "
                            + config.plugin_sha256() + ", signed by " + config.plugin_signer() : ""));
            if (!config.enabled()) {
                problem = "stopped";
            } else if (monitor.isBlocked(s.bsn())) {
                problem = "blocked: " + monitor.blocked().get(s.bsn());
            } else if (monitor.isLockdown()) {
                problem = LOCKDOWN;
            } else {
                launch();
            }
        } catch (IllegalArgumentException | IOException e) {
            problem = e.getMessage();
            LOG.error("isolated plugin configuration refused, the plugin does not run until it is fixed: {}",
                    e.getMessage());
            monitor.audit("host-config-refused", name, "isolated:config", e.getMessage());
        }
    }

    /** Starts a host and feeds it (caller holds the monitor). */
    private void launch() {
        IsolatedPlugin.Settings s = settings;
        IsolatedPlugin p = new IsolatedPlugin(s, confinement, grant::mayMonitor, new IsolatedPlugin.Events() {
            @Override
            public void audit(String decision, String rule, String detail) {
                LOG.info("isolated plugin {}: {} ({}) {}", s.bsn(), decision, rule, detail);
                if ("host-crashed".equals(decision)) {
                    problem = detail;
                }
                if ("blocked".equals(decision)) {
                    problem = "blocked: " + detail;
                    // onto the runtime's block list (audited there): an install or an unblock sees it
                    try {
                        monitor.block(s.bsn(), detail, rule);
                    } catch (RuntimeException e) {
                        LOG.warn("cannot put {} on the block list: {}", s.bsn(), e.toString());
                        monitor.audit(decision, s.bsn(), rule, detail);
                    }
                    return;
                }
                monitor.audit(decision, s.bsn(), rule, detail);
            }

            @Override
            public void log(String stream, String line) {
                LOG.info("[{} {}] {}", s.bsn(), stream, line);
            }
        });
        problem = null;
        plugin = p.start();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("autoweave.isolated.plugin", s.bsn());
        registration = ctx.registerService(UsbEventListener.class, p, props);
    }

    /** Stops the host, if one runs (caller holds the monitor). */
    private void halt(String why) {
        ServiceRegistration<UsbEventListener> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
        IsolatedPlugin p = plugin;
        plugin = null;
        if (p != null) {
            earlierCrashes += p.crashes();
            p.close();
            monitor.audit("host-stopped", name, "isolated:deactivate", why);
        }
    }

    /**
     * The security monitor's decisions: a block of this plugin kills its host, an unblock starts a new one; lockdown
     * stops every host and lifting it starts them again (unless stopped or blocked).
     */
    @Override
    public void handleEvent(Event event) {
        String topic = event.getTopic();
        boolean lockdownEvent = topic.endsWith("/LOCKDOWN");
        if (!lockdownEvent && !name.equals(event.getProperty("plugin"))) {
            return;
        }
        synchronized (this) {
            if (closed || settings == null) {
                return;
            }
            if (lockdownEvent) {
                if (Boolean.TRUE.equals(event.getProperty("lockdown"))) {
                    halt("lockdown: " + event.getProperty("reason"));
                    problem = LOCKDOWN;
                } else {
                    relaunch("lockdown lifted");
                }
            } else if (topic.endsWith("/BLOCKED")) {
                problem = "blocked: " + event.getProperty("reason");
                IsolatedPlugin p = plugin;
                if (p != null) {
                    p.block(String.valueOf(event.getProperty("reason")), String.valueOf(event.getProperty("rule")));
                }
            } else if (topic.endsWith("/UNBLOCKED")) {
                relaunch("unblocked");
            }
        }
    }

    /** A new host, when none runs and nothing forbids one (caller holds the monitor). */
    private void relaunch(String why) {
        if (!config.enabled() || monitor.isBlocked(name) || monitor.isLockdown()) {
            return;
        }
        if (plugin == null || plugin.state() == IsolatedPlugin.State.BLOCKED) {
            halt(why + ": a new host starts");
            launch();
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
        // the runtime's own DS, SLF4J API...: installed in the host before the operator's extra bundles
        List<Path> bundles = new ArrayList<>(HostLibraries.runtimeBundles(ctx, List.of(c.runtime_bundles()),
                ctx.getDataFile("lib").toPath()));
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
    synchronized void deactivate() {
        closed = true;
        halt("configuration removed or runtime stopping");
        stopped = true;
    }

    /** Set once the component has stopped its host for good (deactivated). */
    private volatile boolean stopped;

    boolean stopped() {
        return stopped;
    }

    /** The host's working directory (data, logs), or null when the configuration was refused. */
    synchronized Path workDir() {
        return settings == null ? null : settings.workDir();
    }

    /** Whether the installer deployed it (after verifying its signature). */
    boolean installed() {
        return INSTALLER.equals(config.installed_by());
    }

    String pid() {
        return pid;
    }

    String deploymentId() {
        return config.deployment_id();
    }

    /** The running supervisor; null when the configuration was refused, or the plugin is stopped or blocked. */
    synchronized IsolatedPlugin plugin() {
        return plugin;
    }

    String name() {
        return name;
    }

    /** What the service and the installer report of it. */
    synchronized IsolatedPluginInfo info() {
        IsolatedPlugin p = plugin;
        String state;
        if (p != null) {
            state = p.state().name();
        } else if (settings == null) {
            state = "REFUSED";
        } else if (monitor.isBlocked(name)) {
            state = "BLOCKED";
        } else if (LOCKDOWN.equals(problem) && monitor.isLockdown()) {
            state = "STOPPED";
        } else {
            state = "STOPPED";
        }
        String why = p != null && p.blockReason() != null ? "blocked: " + p.blockReason()
                : problem != null ? problem : p != null ? p.lastEnd() : null;
        boolean inst = config != null && installed();
        return new IsolatedPluginInfo(name, version, settings == null ? config.level() : settings.level(), state,
                inst, inst ? config.plugin_signer() : null, inst ? config.plugin_sha256() : null,
                inst ? config.plugin_source() : String.valueOf(config.plugin_jar()),
                earlierCrashes + (p == null ? 0 : p.crashes()), "RUNNING".equals(state) ? null : why,
                config == null ? "" : config.deployment_id());
    }

    /** One row of {@code aw:isolated}. */
    synchronized String status() {
        IsolatedPlugin p = plugin;
        if (p == null) {
            IsolatedPluginInfo i = info();
            return name + " " + (i.state().equals("REFUSED") ? "NOT RUNNING" : i.state()) + ": " + problem;
        }
        return String.format("%s %s level=%s starts=%d crashes=%d sent=%d acked=%d missed=%d withheld=%d heap=%dMB "
                + "threads=%d logDropped=%d start=%dms%s%s", name, p.state(),
                p.level() + "(" + p.limits().describe() + ")", p.starts(), p.crashes(),
                p.sent(), p.acked(), p.missed(), p.withheld(), p.heapBytes() >> 20, p.threads(), p.logDropped(),
                p.startMillis(), p.blockReason() == null ? "" : " blocked: " + p.blockReason(),
                installed() ? " installed signed-by=" + config.plugin_signer() : "");
    }
}
