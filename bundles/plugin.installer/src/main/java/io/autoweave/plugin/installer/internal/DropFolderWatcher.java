package io.autoweave.plugin.installer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.data.DataDirectory;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.PluginInstaller;
import io.autoweave.security.SecurityMonitor;

/**
 * Polls the drop folder ({@code DATA/plugins-drop} by default). Each {@code *.jar} whose size and modification time
 * held still for one poll goes through {@link PluginInstaller#install} (the same gate as every other route); a jar
 * removed from the folder is uninstalled. A refusal is logged and audited once and remembered by the file's SHA-256,
 * so it is retried only when the file changes (or, for a lockdown refusal, once lockdown is off). What was installed
 * from which file is kept in the bundle data file {@code drop-folder.properties}, so removals made while the runtime
 * was down are noticed at the next start.
 */
@Component(service = DropFolderWatcher.class, immediate = true, configurationPid = DropFolderWatcher.PID)
@Designate(ocd = DropFolderConfig.class)
public final class DropFolderWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(DropFolderWatcher.class);

    private record Seen(long size, long modified) {
    }

    private final PluginInstaller installer;
    private final SecurityMonitor monitor;
    static final String PID = "io.autoweave.plugin.dropfolder";
    private volatile Path folder;
    private volatile SecurityLevel level;
    private final Path dataDir;
    private final LastGoodConfig<DropFolderConfig, DropFolderConfig> lastGood = new LastGoodConfig<>(PID,
            DropFolderConfig.class, DropFolderWatcher::check);
    private final Path stateFile;
    private final Map<String, Seen> seen = new HashMap<>();
    /** file name → "bsn sha256" of what it installed. */
    private final Properties installed = new Properties();
    /** file name → "sha256 CODE" of its refusal. */
    private final Map<String, String> refused = new HashMap<>();
    /** Entries that are not regular files (links, directories), by name, with what they are: reported once. */
    private final Map<String, String> ignored = new HashMap<>();
    private ScheduledExecutorService poller;

    @Activate
    public DropFolderWatcher(BundleContext ctx, @Reference PluginInstaller installer,
            @Reference SecurityMonitor monitor, DropFolderConfig config, Map<String, Object> properties) {
        this(ctx, installer, monitor, config, properties, DataDirectory.require(ctx),
                ctx.getDataFile("drop-folder.properties").toPath());
    }

    DropFolderWatcher(PluginInstaller installer, SecurityMonitor monitor, DropFolderConfig config, Path dataDir,
            Path stateFile) {
        this(null, installer, monitor, config, Map.of(), dataDir, stateFile);
    }

    private DropFolderWatcher(BundleContext ctx, PluginInstaller installer, SecurityMonitor monitor,
            DropFolderConfig config, Map<String, ?> properties, Path dataDir, Path stateFile) {
        this.installer = installer;
        this.monitor = monitor;
        this.dataDir = dataDir;
        this.stateFile = stateFile;
        if (Files.exists(stateFile)) {
            try (InputStream in = Files.newInputStream(stateFile)) {
                installed.load(in);
            } catch (IOException e) {
                LOG.warn("cannot read {}: {}; starting with an empty record", stateFile, e.toString());
            }
        }
        start(lastGood.start(ctx, config, properties));
    }

    /** The configuration when every value is usable, else a refusal naming the key. */
    static DropFolderConfig check(DropFolderConfig config) {
        ConfigRefusal.range("poll.millis", config.poll_millis(), 100, 60_000);
        ConfigRefusal.notBlank("folder", config.folder());
        try {
            SecurityLevel.parse(config.level());
        } catch (IllegalArgumentException e) {
            throw new ConfigRefusal("level", config.level(), e.getMessage());
        }
        return config;
    }

    /** Applied in place (the watch restarts on the new folder); a refused change keeps the folder watched. */
    @Modified
    synchronized void modified(DropFolderConfig config, Map<String, Object> properties) throws InterruptedException {
        var accepted = lastGood.modified(config, properties);
        if (accepted.isPresent()) {
            stop();
            start(accepted.get());
        }
    }

    private synchronized void start(DropFolderConfig config) {
        this.level = SecurityLevel.parse(config.level());
        this.folder = dataDir.resolve(config.folder()).toAbsolutePath().normalize();
        if (!config.enabled()) {
            return;
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            LOG.error("cannot create the plugins drop folder {}: {}; not watching it (set folder in etc/{}.cfg)",
                    folder, e.toString(), PID);
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "autoweave-plugins-drop");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::pollSafely, 0, config.poll_millis(), TimeUnit.MILLISECONDS);
        LOG.info("watching {} for plugin jars (level {})", folder, level);
    }

    private synchronized void stop() throws InterruptedException {
        ScheduledExecutorService p = poller;
        poller = null;
        if (p != null) {
            p.shutdownNow();
            p.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        lastGood.close();
        stop();
    }

    private void pollSafely() {
        try {
            poll();
        } catch (IOException | RuntimeException e) {
            LOG.warn("plugins drop folder {}: {}", folder, e.toString());
        }
    }

    synchronized void poll() throws IOException {
        Set<String> present = new HashSet<>();
        Set<String> odd = new HashSet<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(folder, "*.jar")) {
            for (Path jar : jars) {
                BasicFileAttributes a;
                try {
                    // never follow a link: link.jar -> /etc/passwd must not be read, not even to be refused
                    a = Files.readAttributes(jar, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue; // removed meanwhile
                }
                String name = jar.getFileName().toString();
                if (!a.isRegularFile()) {
                    odd.add(name);
                    ignore(name, jar, a.isSymbolicLink() ? "a symbolic link" : a.isDirectory() ? "a directory"
                            : "not a regular file");
                    continue;
                }
                present.add(name);
                Seen now = new Seen(a.size(), a.lastModifiedTime().toMillis());
                if (!now.equals(seen.put(name, now))) {
                    continue; // new or still changing: take it once it held still for one interval
                }
                consider(name, jar);
            }
        }
        for (String name : installed.stringPropertyNames()) {
            if (!present.contains(name)) {
                removed(name);
            }
        }
        seen.keySet().retainAll(present);
        ignored.keySet().retainAll(odd);
        refused.keySet().retainAll(present);
    }

    /** Reports a drop-folder entry that is not a regular file, once while it stays; it is never opened. */
    private void ignore(String name, Path entry, String what) {
        if (what.equals(ignored.put(name, what))) {
            return;
        }
        LOG.warn("plugins drop folder: {} is {}; ignored (only regular .jar files are installed, never read through "
                + "a link)", name, what);
        monitor.audit("drop-refused", entry.toString(), "drop-folder:NOT_REGULAR_FILE", name + " is " + what
                + "; ignored, never read");
    }

    private void consider(String name, Path jar) throws IOException {
        String sha = sha256(jar);
        String[] had = installed.getProperty(name, "").split(" ");
        if (had.length == 2 && had[1].equals(sha)) {
            return; // installed from exactly this file
        }
        String refusal = refused.get(name);
        if (refusal != null && refusal.startsWith(sha + " ")
                && !(refusal.endsWith(" LOCKDOWN") && !monitor.isLockdown())
                // the plugin-host bundle not active yet (start-up): a passing state, tried again at every scan
                && !refusal.endsWith(" " + InstallError.ISOLATION_UNAVAILABLE.name())) {
            return; // reported once already; retried when the file changes
        }
        if (had.length == 2) {
            LOG.info("plugins drop folder: {} changed, replacing {}", name, had[0]);
            uninstallQuietly(had[0]);
            installed.remove(name);
            save();
        }
        try {
            InstalledPlugin p = installer.install(jar.toString(), level);
            refused.remove(name);
            installed.setProperty(name, p.symbolicName() + " " + sha);
            save();
            LOG.info("plugins drop folder: installed {} from {}", p.symbolicName(), name);
        } catch (PluginInstallException e) {
            for (InstalledPlugin p : installer.plugins()) {
                if (e.error() == InstallError.DUPLICATE && sha.equals(p.sha256())) {
                    installed.setProperty(name, p.symbolicName() + " " + sha); // already there: adopt it
                    save();
                    return;
                }
            }
            refused.put(name, sha + " " + e.code());
            LOG.warn("plugins drop folder: {} refused ({}): {}; not retried until the file changes", name, e.code(),
                    e.getMessage());
            monitor.audit("drop-refused", jar.toString(), "install-gate:" + e.code(),
                    "sha256 " + sha + ": " + e.getMessage());
        }
    }

    private void removed(String name) throws IOException {
        String bsn = installed.getProperty(name).split(" ")[0];
        uninstallQuietly(bsn);
        installed.remove(name);
        save();
        LOG.info("plugins drop folder: {} removed, uninstalled {}", name, bsn);
    }

    private void uninstallQuietly(String bsn) {
        try {
            installer.uninstall(bsn);
        } catch (PluginInstallException e) {
            LOG.info("plugins drop folder: {} was not installed any more ({})", bsn, e.code());
        }
    }

    private void save() throws IOException {
        Files.createDirectories(stateFile.getParent());
        Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            installed.store(out, "plugins installed from the drop folder: file name = symbolic-name sha256");
        }
        Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0;) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
