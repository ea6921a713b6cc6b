package io.autoweave.plugin.installer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.plugin.PluginState;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.PluginInstaller;
import io.autoweave.security.SecurityMonitor;

/**
 * Fetch → verify ({@link JarVerifier}, trust store read at every install) → record in the {@link PluginLedger} →
 * {@code installBundle} from the verified copy at {@code plugin:<level>/<bsn>} → start. Any failure after the
 * ledger entry rolls everything back. Installs run one at a time. In lockdown every install is refused, and so is a
 * plugin whose symbolic name is blocked; every decision goes to the security monitor's audit log, every step to the
 * {@link PluginLifecycle}.
 */
@Component(service = PluginInstaller.class, configurationPid = "io.autoweave.plugin.installer")
@Designate(ocd = InstallerConfig.class)
public final class PluginInstallerImpl implements PluginInstaller {
    /** The launcher's start level for plugins (runtime: Launcher.PLUGIN_START_LEVEL). */
    static final int PLUGIN_START_LEVEL = 8;
    private static final Logger LOG = LoggerFactory.getLogger(PluginInstallerImpl.class);

    private final BundleContext ctx;
    private final PluginLedger ledger;
    private final Path trustStore;
    private final char[] trustPassword;
    private final int timeoutMillis;
    private final Path workDir;
    private final Clock clock;
    private final SecurityMonitor monitor;
    private final PluginLifecycle lifecycle;

    @Activate
    public PluginInstallerImpl(BundleContext ctx, @Reference PluginLedger ledger, @Reference SecurityMonitor monitor,
            @Reference PluginLifecycle lifecycle, InstallerConfig config) {
        this(ctx, ledger, monitor, lifecycle, config, dataDir(ctx), ctx.getDataFile("work").toPath(),
                Clock.systemUTC());
    }

    PluginInstallerImpl(BundleContext ctx, PluginLedger ledger, SecurityMonitor monitor, PluginLifecycle lifecycle,
            InstallerConfig config, Path dataDir, Path workDir, Clock clock) {
        if (config.download_timeout_seconds() < 1 || config.download_timeout_seconds() > 3600) {
            throw new IllegalArgumentException("download.timeout.seconds must be 1..3600, not "
                    + config.download_timeout_seconds());
        }
        if (config.trust_store_path() == null || config.trust_store_path().isBlank()) {
            throw new IllegalArgumentException("trust.store.path is empty: give the plugin trust store file "
                    + "(default security/plugins-truststore.p12 under the data directory)");
        }
        this.ctx = ctx;
        this.ledger = ledger;
        this.trustStore = dataDir.resolve(config.trust_store_path()).toAbsolutePath().normalize();
        this.trustPassword = config._trust_store_password() == null ? new char[0]
                : config._trust_store_password().toCharArray();
        this.timeoutMillis = config.download_timeout_seconds() * 1000;
        this.workDir = workDir;
        this.clock = clock;
        this.monitor = monitor;
        this.lifecycle = lifecycle;
    }

    static Path dataDir(BundleContext ctx) {
        String data = ctx.getProperty("autoweave.data");
        if (data == null) {
            throw new IllegalStateException("framework property autoweave.data is not set (start with the launcher)");
        }
        return Path.of(data);
    }

    @Override
    public synchronized InstalledPlugin install(String source, SecurityLevel level) throws PluginInstallException {
        if (level == null) {
            throw new PluginInstallException("BAD_SOURCE", "no security level: use low, medium or high");
        }
        lifecycle.discovered(source);
        String bsn = null;
        try {
            if (monitor.isLockdown()) {
                throw new PluginInstallException("LOCKDOWN", "the system is locked down, every install is refused ("
                        + "aw:lockdown shows why; aw:lockdown off lifts it)");
            }
            TrustStore trust = loadTrust(); // before fetching: without trust nothing can be accepted
            Path candidate = fetch(source);
            boolean downloaded = !candidate.toString().equals(localPath(source));
            try {
                Verdict v = new JarVerifier(trust, VerifierLimits.defaults(), workDir, clock).verify(candidate);
                if (!v.isAccepted()) {
                    throw new PluginInstallException(v.code().name(), "refused " + source + ": " + v.reason());
                }
                bsn = v.symbolicName();
                lifecycle.validated(source, bsn);
                if (monitor.isBlocked(bsn)) {
                    throw new PluginInstallException("BLOCKED", bsn + " is blocked (" + monitor.blocked().get(bsn)
                            + "); aw:unblock " + bsn + " first");
                }
                try {
                    InstalledPlugin p = installVerified(v, level, source);
                    monitor.audit("install-accepted", bsn, "install-gate:" + v.code().name(), p.location() + " from "
                            + source + ", sha256 " + v.sha256() + ", " + v.reason());
                    return p;
                } finally {
                    v.discardCopy();
                }
            } finally {
                if (downloaded) {
                    Files.deleteIfExists(candidate);
                }
            }
        } catch (PluginInstallException e) {
            refused(source, bsn, level, e);
            throw e;
        } catch (IOException e) {
            PluginInstallException x = new PluginInstallException("INSTALL_FAILED", "cannot install " + source + ": "
                    + e, e);
            refused(source, bsn, level, x);
            throw x;
        }
    }

    private void refused(String source, String bsn, SecurityLevel level, PluginInstallException e) {
        LOG.warn("AUDIT plugin install refused: source={} level={} code={} reason={}", source, level, e.code(),
                e.getMessage());
        String rule = e.code().equals("LOCKDOWN") ? "lockdown" : e.code().equals("BLOCKED") ? "blocklist"
                : "install-gate:" + e.code();
        monitor.audit("install-refused", bsn == null ? source : bsn, rule, e.getMessage());
        if (!e.code().equals("START_FAILED")) {
            lifecycle.rejected(source, bsn, e.getMessage());
        }
    }

    private InstalledPlugin installVerified(Verdict v, SecurityLevel level, String source) throws PluginInstallException,
            IOException {
        String bsn = v.symbolicName();
        String location = LOCATION_PREFIX + level.name().toLowerCase(Locale.ROOT) + "/" + bsn;
        refuseDuplicate(bsn, v.version());
        ledger.put(location, v.sha256(), signers(v.signers()));
        Bundle b = null;
        try {
            try (InputStream in = Files.newInputStream(v.verifiedCopy())) {
                b = ctx.installBundle(location, in);
            }
            lifecycle.installed(source, b);
            b.adapt(BundleStartLevel.class).setStartLevel(PLUGIN_START_LEVEL);
            b.start();
        } catch (BundleException | IOException | RuntimeException e) {
            boolean installed = b != null;
            if (installed) {
                lifecycle.failed(b, e.getMessage());
            }
            rollback(b, location);
            throw new PluginInstallException(installed ? "START_FAILED" : "INSTALL_FAILED",
                    (installed ? "plugin " + bsn + " installed but did not start, so it was removed again: "
                            : "the framework refused " + bsn + ": ") + e.getMessage(), e);
        }
        InstalledPlugin p = describe(b);
        LOG.info("AUDIT plugin installed: {} {} at {} (bundle {}, sha256 {}, {})", bsn, v.version(), location,
                b.getBundleId(), v.sha256(), v.reason());
        return p;
    }

    private void refuseDuplicate(String bsn, String version) throws PluginInstallException {
        for (Bundle b : ctx.getBundles()) {
            if (!bsn.equals(b.getSymbolicName())) {
                continue;
            }
            String where = "bundle " + b.getBundleId() + " at " + b.getLocation();
            if (b.getVersion().toString().equals(version)) {
                throw new PluginInstallException("DUPLICATE", bsn + " " + version + " is already installed (" + where
                        + "); nothing was changed");
            }
            if (b.getLocation().startsWith(LOCATION_PREFIX)) {
                throw new PluginInstallException("DUPLICATE", bsn + " " + b.getVersion() + " is installed (" + where
                        + "); uninstall it first (aw:uninstall " + bsn + ") to install " + version);
            }
            throw new PluginInstallException("DUPLICATE", bsn + " is the name of a runtime bundle (" + where
                    + "); a plugin cannot take it");
        }
    }

    private void rollback(Bundle b, String location) {
        try {
            if (b != null) {
                b.uninstall();
                refresh(b);
            }
        } catch (BundleException | RuntimeException e) {
            LOG.error("could not uninstall {} after a failed install: {}", location, e.toString());
        }
        try {
            ledger.remove(location);
        } catch (IOException e) {
            LOG.error("could not remove {} from the plugin ledger: {}", location, e.toString());
        }
    }

    private void refresh(Bundle b) {
        ctx.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b));
    }

    @Override
    public List<InstalledPlugin> plugins() {
        List<InstalledPlugin> list = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            if (b.getLocation().startsWith(LOCATION_PREFIX)) {
                list.add(describe(b));
            }
        }
        return list;
    }

    @Override
    public synchronized InstalledPlugin uninstall(String symbolicNameOrId) throws PluginInstallException {
        Bundle found = null;
        for (Bundle b : ctx.getBundles()) {
            if (String.valueOf(b.getBundleId()).equals(symbolicNameOrId)
                    || (b.getSymbolicName() != null && b.getSymbolicName().equals(symbolicNameOrId))) {
                if (!b.getLocation().startsWith(LOCATION_PREFIX)) {
                    throw new PluginInstallException("NOT_A_PLUGIN", "bundle " + b.getBundleId() + " ("
                            + b.getSymbolicName() + ") at " + b.getLocation() + " is not a plugin; the installer "
                            + "removes only what it installed");
                }
                found = b;
            }
        }
        if (found == null) {
            throw new PluginInstallException("NOT_INSTALLED", "no plugin '" + symbolicNameOrId
                    + "' is installed (aw:plugins lists them)");
        }
        InstalledPlugin before = describe(found);
        try {
            found.uninstall();
            refresh(found);
            ledger.remove(before.location());
        } catch (BundleException | IOException e) {
            throw new PluginInstallException("INSTALL_FAILED", "cannot uninstall " + before.symbolicName() + ": "
                    + e.getMessage(), e);
        }
        LOG.info("AUDIT plugin uninstalled: {} {} from {}", before.symbolicName(), before.version(),
                before.location());
        monitor.audit("uninstalled", before.symbolicName(), "operator", before.location());
        return before;
    }

    @Override
    public Map<String, PluginState> states() {
        return lifecycle.states();
    }

    InstalledPlugin describe(Bundle b) {
        String location = b.getLocation();
        PluginLedger.Entry e = ledger.get(location);
        PluginState state = lifecycle.state(b.getSymbolicName());
        return new InstalledPlugin(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(),
                levelOf(location), location, state != null ? state : stateOf(b.getState()),
                e == null || e.signer().isEmpty() ? null
                        : e.signer(), e == null ? null : e.sha256());
    }

    static SecurityLevel levelOf(String location) {
        int slash = location.indexOf('/');
        try {
            return SecurityLevel.parse(location.substring(LOCATION_PREFIX.length(), slash < 0 ? location.length()
                    : slash));
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return null;
        }
    }

    static PluginState stateOf(int bundleState) {
        switch (bundleState) {
            case Bundle.ACTIVE: return PluginState.RUNNING;
            case Bundle.STARTING: return PluginState.STARTING;
            case Bundle.STOPPING: return PluginState.STOPPING;
            case Bundle.RESOLVED: return PluginState.STOPPED;
            default: return PluginState.INSTALLED;
        }
    }

    private static String signers(List<CodeSigner> signers) {
        return signers.stream()
                .map(s -> ((X509Certificate) s.getSignerCertPath().getCertificates().get(0))
                        .getSubjectX500Principal().getName())
                .collect(Collectors.joining("; "));
    }

    // ---- trust store and sources --------------------------------------------------------------------------------

    private TrustStore loadTrust() throws PluginInstallException {
        if (!Files.isRegularFile(trustStore)) {
            throw new PluginInstallException("NO_TRUST_STORE", "no plugin trust store at " + trustStore
                    + ", so every install is refused. Create it: keytool -importcert -trustcacerts -noprompt "
                    + "-alias plugins-ca -file CA.pem -storetype PKCS12 -keystore " + trustStore
                    + " -storepass PASSWORD, and put .trust.store.password=PASSWORD in "
                    + "etc/io.autoweave.plugin.installer.cfg");
        }
        try {
            return TrustStore.load(trustStore, trustPassword.length == 0 ? null : trustPassword.clone());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new PluginInstallException("TRUST_STORE_INVALID", "cannot use the plugin trust store "
                    + trustStore + ": " + e.getMessage() + " (check .trust.store.password in "
                    + "etc/io.autoweave.plugin.installer.cfg)", e);
        }
    }

    /** The source as a local path string when it names a local file, else null. */
    private static String localPath(String source) {
        try {
            if (source.regionMatches(true, 0, "file:", 0, 5)) {
                return Path.of(new URI(source)).toAbsolutePath().toString();
            }
            return source.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") ? null : Path.of(source).toAbsolutePath().toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private Path fetch(String source) throws PluginInstallException {
        if (source == null || source.isBlank()) {
            throw new PluginInstallException("BAD_SOURCE", "no source: give a file path or an https: URL");
        }
        String local = localPath(source.trim());
        if (local != null) {
            return Path.of(local);
        }
        URI uri;
        try {
            uri = new URI(source.trim());
        } catch (URISyntaxException e) {
            throw new PluginInstallException("BAD_SOURCE", "'" + source + "' is neither a path nor a URL: "
                    + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new PluginInstallException("BAD_SOURCE", "unsupported source '" + source
                    + "': use a file path, a file: URL, an https: URL, or an http: URL to a loopback address");
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw new PluginInstallException("BAD_SOURCE", "plain http is accepted only from a loopback address, not "
                    + uri.getHost() + ": use https");
        }
        return download(uri);
    }

    private static boolean isLoopback(String host) {
        try {
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private Path download(URI uri) throws PluginInstallException {
        long max = VerifierLimits.defaults().maxArchiveBytes();
        Path file = null;
        try {
            Files.createDirectories(workDir);
            file = Files.createTempFile(workDir, "download-", ".jar");
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setInstanceFollowRedirects(false); // a redirect could leave loopback or https
            c.setConnectTimeout(timeoutMillis);
            c.setReadTimeout(timeoutMillis);
            int status = c.getResponseCode();
            if (status != 200) {
                throw new PluginInstallException("DOWNLOAD_FAILED", uri + " answered HTTP " + status);
            }
            try (InputStream in = c.getInputStream(); OutputStream out = Files.newOutputStream(file)) {
                byte[] buf = new byte[64 * 1024];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0;) {
                    total += n;
                    if (total > max) {
                        throw new PluginInstallException("ARCHIVE_TOO_LARGE", uri + " is larger than " + max
                                + " bytes");
                    }
                    out.write(buf, 0, n);
                }
            }
            return file;
        } catch (PluginInstallException e) {
            deleteQuietly(file);
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            deleteQuietly(file);
            throw new PluginInstallException("DOWNLOAD_FAILED", "cannot download " + uri + ": " + e, e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a leftover temp file in the private work directory is harmless
        }
    }
}
