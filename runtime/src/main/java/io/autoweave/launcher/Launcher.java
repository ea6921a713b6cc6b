package io.autoweave.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AllPermission;
import java.security.CodeSource;
import java.security.Permission;
import java.security.PermissionCollection;
import java.security.Permissions;
import java.security.Policy;
import java.security.ProtectionDomain;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Starts and stops one AutoWeave runtime: Apache Felix with OSGi security on, the policy from
 * {@code security-policies/} committed before any non-framework bundle is installed, then the core bundle set.
 *
 * <p>Used by {@link Main} for the executable jar and by the integration tests, so both boot exactly the same way.
 *
 * <p><b>Size.</b> Why one class of over 400 lines: the boot is one ordered procedure (framework properties, security
 * and policy before any bundle, the bundle set, start levels, readiness, stop); it reads top to bottom in the order
 * it runs.
 */
public final class Launcher {

    /**
     * Prefix of the location of every bundle that belongs to the runtime itself (granted AllPermission by policy).
     * The same as {@code io.autoweave.api.plugin.PluginLocation.CORE_PREFIX}: the launcher runs outside the framework,
     * where the API bundle is not on its class path (LauncherLocationTest keeps the two equal).
     */
    public static final String CORE_LOCATION_PREFIX = "autoweave:core/";
    /** The line printed once the runtime is ready; scripts wait for it. */
    public static final String READY_MARKER = "AutoWeave ready";
    /** Start level the framework runs at; plugins are installed at {@link #PLUGIN_START_LEVEL}. */
    static final int FRAMEWORK_START_LEVEL = 10;
    static final int PLUGIN_START_LEVEL = 8;

    private static final String CPA = "org.osgi.service.condpermadmin.ConditionalPermissionAdmin";
    /** Configuration of the logging system (Pax Logging), in DATA/etc/org.ops4j.pax.logging.cfg. */
    public static final String LOGGING_PID = "org.ops4j.pax.logging";
    static final String LOG_DIR_PROPERTY = "autoweave.log.dir";

    private final LaunchConfig config;
    private final PrintStream out;
    private volatile Framework framework;
    private volatile long readyMillis = -1;

    public Launcher(LaunchConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** The running framework, or null before {@link #start()}. */
    public Framework framework() {
        return framework;
    }

    /** Milliseconds from {@link #start()} to ready, or -1. */
    public long readyMillis() {
        return readyMillis;
    }

    public LaunchConfig config() {
        return config;
    }

    /**
     * Boots the runtime and waits until it reports ready over HTTP.
     *
     * @throws LaunchException with an operator-facing message when the runtime cannot start
     */
    public Framework start() throws LaunchException {
        long t0 = System.nanoTime();
        StartTimeline timeline = new StartTimeline();
        timeline.mark("jvm");
        boolean security = JavaCheck.securityAvailable();
        if (security) {
            grantLauncherAllPermission();
            LogLines.SecurityManagerWarningFilter.install();
        }
        LogLines.julToConsole(out);
        try {
            Files.createDirectories(config.dataDir);
            Files.createDirectories(config.dataDir.resolve("etc"));
            Files.createDirectories(logDir());
        } catch (IOException e) {
            throw new LaunchException("cannot create the data directory " + config.dataDir + ": " + e
                    + " (choose another with --data DIR or AUTOWEAVE_DATA)", e);
        }
        DefaultConfig.copyMissing(config.dataDir.resolve("etc"));
        // ${autoweave.log.dir} in org.ops4j.pax.logging.cfg: Pax Logging reads that file before Configuration Admin
        // runs and substitutes only system properties. One runtime per JVM (the SecurityManager is JVM-wide).
        System.setProperty(LOG_DIR_PROPERTY, logDir().toString());
        BundleSet bundles = BundleSet.load();
        try {
            Framework fw = newFramework(security);
            fw.init();
            if (installExtensions(fw, bundles)) {
                // an extension installed (or removed) in this run changes the framework on the next init
                fw.stop();
                fw.waitForStop(30_000);
                fw = newFramework(security);
                fw.init();
            }
            framework = fw;
            BundleContext ctx = fw.getBundleContext();
            timeline.mark("framework-init");
            StartWatch watch = new StartWatch(ctx, timeline);
            if (!security) {
                log(JavaCheck.isolatedOnlyLine());
            } else if (ctx.getServiceReference(CPA) == null) {
                throw new LaunchException("framework security did not start: ConditionalPermissionAdmin is missing "
                        + "(the org.apache.felix.framework.security extension failed to load; delete "
                        + config.dataDir.resolve("cache") + " and start again)");
            } else {
                int rows = PolicyLoader.apply(ctx, config.policyDir, this::log);
                log("security on: " + rows + " ConditionalPermissionAdmin rows from "
                        + (config.policyDir == null ? "the built-in policy" : config.policyDir.toString()));
            }
            timeline.mark("policy");
            installCoreBundles(fw, bundles);
            timeline.mark("bundle-installs");
            fw.start();
            awaitStartLevel(fw);
            timeline.mark("start-level");
            awaitReady(t0);
            timeline.mark("ready");
            watch.close();
        } catch (BundleException | InterruptedException e) {
            stopQuietly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new LaunchException("the OSGi framework failed to start: " + e.getMessage(), e);
        } catch (LaunchException | RuntimeException e) {
            stopQuietly();
            throw e;
        }
        readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        try {
            timeline.write(config.dataDir);
        } catch (IOException e) {
            log("cannot write " + config.dataDir.resolve(StartTimeline.FILE) + ": " + e);
        }
        if (startDebug()) {
            log("start timeline: " + timeline.line());
        }
        banner();
        return framework;
    }

    /** Stops the framework and waits at most {@code timeoutMillis}; returns whether it stopped in time. */
    public boolean stop(long timeoutMillis) throws InterruptedException {
        Framework fw = framework;
        if (fw == null) {
            return true;
        }
        try {
            fw.stop();
        } catch (BundleException e) {
            log("stop failed: " + e.getMessage());
        }
        FrameworkEvent ev = fw.waitForStop(timeoutMillis);
        LogLines.julToConsole(out); // the logging bundles are gone: later lines go to the console again
        return ev.getType() != FrameworkEvent.WAIT_TIMEDOUT;
    }

    /** Start-up debugging: {@code -Dautoweave.start.debug=true}, or the runtime's log level at debug or trace. */
    private boolean startDebug() {
        String level = String.valueOf(config.extraProperties.getOrDefault("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "")));
        return Boolean.getBoolean("autoweave.start.debug") || "true".equals(config.extraProperties.get(
                "autoweave.start.debug")) || level.equalsIgnoreCase("debug") || level.equalsIgnoreCase("trace");
    }

    /** Marks the start steps only visible from inside the framework: SCR active, the HTTP runtime registered. */
    private static final class StartWatch implements AutoCloseable {
        private static final String HTTP_RUNTIME = "(|(objectClass=org.osgi.service.servlet.runtime.HttpServiceRuntime)"
                + "(objectClass=org.osgi.service.http.runtime.HttpServiceRuntime))";
        private final BundleContext ctx;
        private final org.osgi.framework.BundleListener bundles;
        private final org.osgi.framework.ServiceListener http;

        StartWatch(BundleContext ctx, StartTimeline timeline) {
            this.ctx = ctx;
            this.bundles = e -> {
                if (e.getType() == org.osgi.framework.BundleEvent.STARTED
                        && "org.apache.felix.scr".equals(e.getBundle().getSymbolicName())) {
                    timeline.markOnce("scr");
                }
            };
            this.http = e -> {
                if (e.getType() == org.osgi.framework.ServiceEvent.REGISTERED) {
                    timeline.markOnce("http");
                }
            };
            ctx.addBundleListener(bundles);
            try {
                ctx.addServiceListener(http, HTTP_RUNTIME);
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            ctx.removeBundleListener(bundles);
            ctx.removeServiceListener(http);
        }
    }

    private void stopQuietly() {
        try {
            stop(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Framework newFramework(boolean security) {
        return new Felix(frameworkProperties(security));
    }

    Map<String, Object> frameworkProperties() {
        return frameworkProperties(true);
    }

    Map<String, Object> frameworkProperties(boolean security) {
        Map<String, Object> p = new HashMap<>();
        if (security) {
            p.put(Constants.FRAMEWORK_SECURITY, Constants.FRAMEWORK_SECURITY_OSGI);
        }
        p.put(Constants.FRAMEWORK_STORAGE, config.dataDir.resolve("cache").toString());
        p.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, Integer.toString(FRAMEWORK_START_LEVEL));
        p.put("felix.startlevel.bundle", Integer.toString(PLUGIN_START_LEVEL));
        p.put("felix.log.level", "1");
        p.put("felix.log.logger", new LogLines.FrameworkLogger());
        // Pax Logging configures itself from this file as it starts (before Configuration Admin), so even the first
        // lines have the one format; File Install then hands the same file to Configuration Admin.
        // Pax Logging's own start-up chatter (and log4j2's status lines) only when something is wrong
        p.put("org.ops4j.pax.logging.DefaultServiceLog.level", "WARN");
        p.put("org.ops4j.pax.logging.property.file", config.dataDir.resolve("etc/" + LOGGING_PID + ".cfg").toString());
        p.put("autoweave.data", config.dataDir.toString());
        if (config.policyDir != null) {
            // the security bundle's PolicyManager watches it and reloads the rows on change
            p.put("autoweave.policies", config.policyDir.toString());
        }
        // HTTP: loopback by default; every surface but /health requires the credentials of the auth bundle
        p.put("org.apache.felix.http.host", config.httpHost);
        p.put("org.osgi.service.http.port", Integer.toString(config.httpPort));
        p.put("org.apache.felix.http.name", "autoweave");
        p.put("felix.webconsole.security.providers", "autoweave");
        // the console's built-in admin/admin must never work, even if our provider were missing
        p.put("felix.webconsole.password", "{sha-256}" + randomSecret());
        // configuration files: only *.cfg / *.config are read, jars dropped there are never installed
        p.put("felix.fileinstall.dir", config.dataDir.resolve("etc").toString());
        p.put("felix.fileinstall.filter", ".*\\.(cfg|config)");
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.poll", "2000");
        p.put("felix.fileinstall.log.level", "2");
        p.put("felix.fileinstall.bundles.new.start", "false");
        // The files in DATA/etc are the operator's and the source of truth: a change made in the Web Console (or
        // by aw:log-level) applies until the next start or edit of the file, and is never written back, because
        // File Install's write-back drops the file's comments and rewrites values in typed form (L"100000").
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("gosh.args", config.interactiveShell ? "" : "--nointeractive");
        p.putAll(config.extraProperties);
        return p;
    }

    private static String randomSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return java.util.Base64.getEncoder().encodeToString(b);
    }

    /**
     * Installs the framework extensions; returns whether any was new, changed or removed in this run. An extension an
     * earlier runtime version installed and this one no longer ships (Aries SPI Fly) is uninstalled, so the next init
     * leaves it out.
     */
    private boolean installExtensions(Framework fw, BundleSet set) throws BundleException, LaunchException {
        boolean changed = false;
        List<String> wanted = new ArrayList<>();
        for (BundleSet.Entry e : set.entries()) {
            if (e.startLevel() == 0) {
                wanted.add(e.location());
                changed |= installOrUpdate(fw.getBundleContext(), e) != null;
            }
        }
        for (Bundle b : fw.getBundleContext().getBundles()) {
            if (b.getLocation().startsWith(CORE_LOCATION_PREFIX) && b.getHeaders("").get(Constants.FRAGMENT_HOST) != null
                    && !wanted.contains(b.getLocation())) {
                log("removing " + b.getLocation() + ": no longer part of the runtime");
                b.uninstall();
                changed = true;
            }
        }
        return changed;
    }

    private void installCoreBundles(Framework fw, BundleSet set) throws BundleException, LaunchException {
        BundleContext ctx = fw.getBundleContext();
        List<Bundle> toStart = new ArrayList<>();
        List<String> wanted = new ArrayList<>();
        for (BundleSet.Entry e : set.entries()) {
            wanted.add(e.location());
            if (e.startLevel() == 0) {
                continue;
            }
            installOrUpdate(ctx, e);
            Bundle b = ctx.getBundle(e.location());
            b.adapt(BundleStartLevel.class).setStartLevel(e.startLevel());
            if (e.started()) {
                toStart.add(b);
            } else if (b.getState() == Bundle.ACTIVE) {
                b.stop(); // started by an earlier runtime version: its activator must not run
            }
        }
        for (Bundle b : ctx.getBundles()) {
            if (b.getLocation().startsWith(CORE_LOCATION_PREFIX) && !wanted.contains(b.getLocation())) {
                log("removing " + b.getLocation() + ": no longer part of the runtime");
                b.uninstall();
            }
        }
        for (Bundle b : toStart) {
            b.start(Bundle.START_ACTIVATION_POLICY);
        }
    }

    /** Installs {@code e} or updates it when the embedded jar changed; returns the bundle when it was touched. */
    private Bundle installOrUpdate(BundleContext ctx, BundleSet.Entry e) throws BundleException, LaunchException {
        Path stamps = config.dataDir.resolve("core-bundles.properties");
        Properties known = new Properties();
        try {
            if (Files.exists(stamps)) {
                try (InputStream in = Files.newInputStream(stamps)) {
                    known.load(in);
                }
            }
            String digest = e.digest();
            Bundle existing = ctx.getBundle(e.location());
            Bundle touched = null;
            if (existing == null) {
                try (InputStream in = e.open()) {
                    touched = ctx.installBundle(e.location(), in);
                }
            } else if (!digest.equals(known.getProperty(e.location()))) {
                try (InputStream in = e.open()) {
                    existing.update(in);
                }
                touched = existing;
            }
            if (touched != null) {
                known.setProperty(e.location(), digest);
                try (var w = Files.newBufferedWriter(stamps)) {
                    known.store(w, "digests of the core bundles installed from the runtime jar");
                }
            }
            return touched;
        } catch (IOException ex) {
            throw new LaunchException("cannot install " + e.location() + ": " + ex, ex);
        }
    }

    private void awaitStartLevel(Framework fw) throws InterruptedException, LaunchException {
        var sl = fw.adapt(org.osgi.framework.startlevel.FrameworkStartLevel.class);
        long deadline = System.currentTimeMillis() + config.readyTimeoutMillis;
        while (sl.getStartLevel() < FRAMEWORK_START_LEVEL) {
            if (System.currentTimeMillis() > deadline) {
                throw new LaunchException("framework did not reach start level " + FRAMEWORK_START_LEVEL);
            }
            Thread.sleep(20);
        }
        List<String> notActive = new ArrayList<>();
        for (Bundle b : fw.getBundleContext().getBundles()) {
            boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
            if (b.getLocation().startsWith(CORE_LOCATION_PREFIX) && !fragment && b.getState() != Bundle.ACTIVE
                    && b.adapt(BundleStartLevel.class).isPersistentlyStarted()) { // resolve-only ones never start
                notActive.add(b.getSymbolicName() + " (" + stateName(b.getState()) + ")");
            }
        }
        if (!notActive.isEmpty()) {
            throw new LaunchException("core bundles did not start: " + String.join(", ", notActive));
        }
    }

    private void awaitReady(long t0) throws InterruptedException, LaunchException {
        String url = config.baseUrl() + "/health/ready";
        long deadline = System.currentTimeMillis() + config.readyTimeoutMillis;
        String last = "no answer";
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(2000);
                int code = c.getResponseCode();
                if (code == 200) {
                    return;
                }
                last = "HTTP " + code;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        throw new LaunchException("not ready after " + config.readyTimeoutMillis + " ms: " + url + " gave " + last
                + " (is port " + config.httpPort + " already in use? choose another with --http-port)");
    }

    private void banner() {
        String base = config.baseUrl();
        log(READY_MARKER + " in " + readyMillis + " ms");
        out.println("  Web Console : " + base + "/system/console   (user 'admin'; its password is printed once at first"
                + " start, or set AUTOWEAVE_ADMIN_PASSWORD)");
        out.println("  Health      : " + base + "/health/ready");
        out.println("  Data        : " + config.dataDir);
        out.println("  Shell       : " + (config.interactiveShell ? "type 'help aw' at the aw> prompt; 'stop 0' shuts down"
                : "not interactive (no terminal); stop with SIGTERM or Ctrl-C"));
        out.println("  SSH         : ssh -p PORT admin@127.0.0.1 (port 8101 unless DATA/etc/io.autoweave.ssh.cfg says"
                + " otherwise), or bin/autoweave shell");
        out.flush();
    }

    /** A launcher line in the one log format: through the logging system while it runs, else to the console. */
    void log(String message) {
        if (LogLines.bridged()) {
            java.util.logging.Logger.getLogger(LogLines.LAUNCHER).info(message);
        } else {
            out.println(LogLines.format(System.currentTimeMillis(), "INFO", Thread.currentThread().getName(),
                    LogLines.LAUNCHER, message));
            out.flush();
        }
    }

    /** DATA/log: the rotated log file autoweave.log (see config/org.ops4j.pax.logging.cfg). */
    public Path logDir() {
        return config.dataDir.resolve("log");
    }

    static String stateName(int state) {
        switch (state) {
            case Bundle.INSTALLED: return "INSTALLED";
            case Bundle.RESOLVED: return "RESOLVED";
            case Bundle.STARTING: return "STARTING";
            case Bundle.STOPPING: return "STOPPING";
            case Bundle.ACTIVE: return "ACTIVE";
            case Bundle.UNINSTALLED: return "UNINSTALLED";
            default: return Integer.toString(state);
        }
    }

    /**
     * The launcher and the JDK run with AllPermission; bundles get their permissions only from
     * ConditionalPermissionAdmin, because Felix's bundle protection domains never consult this policy.
     */
    private static void grantLauncherAllPermission() {
        if (System.getSecurityManager() != null) {
            return; // already running under security (a second framework in one JVM): keep the policy we set
        }
        Policy.setPolicy(new Policy() {
            @Override
            public PermissionCollection getPermissions(CodeSource codesource) {
                Permissions p = new Permissions();
                p.add(new AllPermission());
                return p;
            }

            @Override
            public boolean implies(ProtectionDomain domain, Permission permission) {
                return true;
            }
        });
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
