package io.autoweave.plugin.installer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Capability;
import org.osgi.resource.Requirement;
import org.osgi.resource.Resource;
import org.osgi.resource.Wiring;
import org.osgi.service.resolver.Resolver;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.condpermadmin.ConditionInfo;
import org.osgi.service.condpermadmin.ConditionalPermissionAdmin;
import org.osgi.service.condpermadmin.ConditionalPermissionInfo;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.api.plugin.PluginState;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.PluginInstaller;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.api.plugin.PluginLocation;

/**
 * Fetch → verify ({@link JarVerifier}, trust store re-read only when its file changed) → record in the {@link PluginLedger} →
 * {@code installBundle} from the verified copy at {@code plugin:<level>/<bsn>} → start. Any failure after the
 * ledger entry rolls everything back. Installs run one at a time up to the start; the plugin's {@code start()}
 * runs outside that lock, on a thread of its own, with a time-out ({@link BundleOps}): one that hangs is answered
 * with {@code START_TIMEOUT}, marked FAILED and blocked, and never holds up another install. In lockdown every install is refused, and so is a
 * plugin whose symbolic name is blocked; every decision goes to the security monitor's audit log, every step to the
 * {@link PluginLifecycle}.
 */
@Component(service = PluginInstaller.class, configurationPid = PluginInstallerImpl.PID)
@Designate(ocd = InstallerConfig.class)
public final class PluginInstallerImpl implements PluginInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(PluginInstallerImpl.class);

    private final BundleContext ctx;
    private final PluginLedger ledger;
    private volatile Path trustStore;
    private volatile char[] trustPassword;
    private final TrustStore.Cache trustCache = new TrustStore.Cache();
    private final Path workDir;
    private volatile Fetcher fetcher;
    private final PluginRepositories repositories;
    /** The framework's resolver (Felix registers its org.apache.felix.resolver as the OSGi Resolver service). */
    private final Resolver frameworkResolver;
    private final Clock clock;
    private final SecurityMonitor monitor;
    private final PluginLifecycle lifecycle;
    private volatile BundleOps ops;
    private final Path dataDir;
    private final LastGoodConfig<InstallerConfig, InstallerConfig> lastGood = new LastGoodConfig<>(PID,
            InstallerConfig.class, PluginInstallerImpl::check);
    /** Held while candidates are checked and installed, never while plugin code runs. */
    private final Object lock = new Object();

    static final String PID = "io.autoweave.plugin.installer";
    static final String SIGNER_CONDITION = "org.osgi.service.condpermadmin.BundleSignerCondition";

    /** Read at each install: whether any row uses a signer condition (null: keep the signatures). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ConditionalPermissionAdmin cpa;

    @Activate
    public PluginInstallerImpl(BundleContext ctx, @Reference PluginLedger ledger, @Reference SecurityMonitor monitor,
            @Reference PluginLifecycle lifecycle, @Reference PluginRepositories repositories,
            @Reference Resolver frameworkResolver, InstallerConfig config, Map<String, Object> properties) {
        this(ctx, ledger, monitor, lifecycle, repositories, frameworkResolver, config, properties, dataDir(ctx),
                ctx.getDataFile("work").toPath(), Clock.systemUTC());
    }

    PluginInstallerImpl(BundleContext ctx, PluginLedger ledger, SecurityMonitor monitor, PluginLifecycle lifecycle,
            PluginRepositories repositories, Resolver frameworkResolver, InstallerConfig config, Map<String, ?> properties,
            Path dataDir, Path workDir, Clock clock) {
        this.ctx = ctx;
        this.ledger = ledger;
        this.dataDir = dataDir;
        this.workDir = workDir;
        this.repositories = repositories;
        this.frameworkResolver = frameworkResolver;
        this.clock = clock;
        this.monitor = monitor;
        this.lifecycle = lifecycle;
        // a bad value at start runs the installer on the defaults (the trust store under DATA/security)
        apply(lastGood.start(ctx, config, properties));
    }

    /** Applied in place: the installer service stays; a refused change keeps the trust store and time-outs in force. */
    @Modified
    void modified(InstallerConfig config, Map<String, Object> properties) {
        lastGood.modified(config, properties).ifPresent(this::apply);
    }

    @Deactivate
    void deactivate() {
        lastGood.close();
    }

    private void apply(InstallerConfig config) {
        this.trustStore = dataDir.resolve(config.trust_store_path()).toAbsolutePath().normalize();
        this.trustPassword = config._trust_store_password() == null ? new char[0]
                : config._trust_store_password().toCharArray();
        this.fetcher = new Fetcher(workDir, config.download_timeout_seconds() * 1000,
                VerifierLimits.defaults().maxArchiveBytes());
        this.ops = ops(config);
    }

    /**
     * The check of {@code io.autoweave.plugin.installer} as a whole, shared by the installer, the repositories and
     * the autostart (one file, three components), so none runs on a value another refuses.
     */
    static InstallerConfig check(InstallerConfig config) {
        ConfigRefusal.range("download.timeout.seconds", config.download_timeout_seconds(), 1, 3600);
        ConfigRefusal.range("start.timeout.seconds", config.start_timeout_seconds(), 1, 600);
        ConfigRefusal.notBlank("trust.store.path", config.trust_store_path());
        return config;
    }

    static BundleOps ops(InstallerConfig config) {
        return new BundleOps(config.start_timeout_seconds() * 1000L, 2000);
    }

    static Path dataDir(BundleContext ctx) {
        String data = ctx.getProperty("autoweave.data");
        if (data == null) {
            throw new IllegalStateException("framework property autoweave.data is not set (start with the launcher)");
        }
        return Path.of(data);
    }

    @Override
    public InstalledPlugin install(String source, SecurityLevel level) throws PluginInstallException {
        if (source != null && source.trim().regionMatches(true, 0, PluginRepositories.OBR_PREFIX, 0, 4)) {
            return installFromRepositories(source.trim(), level).get(0);
        }
        if (level == null) {
            throw new PluginInstallException(InstallError.BAD_SOURCE, "no security level: use low, medium or high");
        }
        Staged staged;
        synchronized (lock) {
            staged = stageOne(source, level);
        }
        return startStaged(staged);
    }

    private Staged stageOne(String source, SecurityLevel level) throws PluginInstallException {
        lifecycle.discovered(source);
        String bsn = null;
        try {
            refuseInLockdown();
            TrustStore trust = loadTrust(); // before fetching: without trust nothing can be accepted
            Path candidate = fetcher.fetch(source);
            try {
                Verdict v = gate(trust, source, source, candidate);
                bsn = v.symbolicName();
                try {
                    return stage(source, List.of(new Item(source, v, null)), level, List.of());
                } finally {
                    v.discardCopy();
                }
            } finally {
                if (Fetcher.isDownload(candidate, source)) {
                    Files.deleteIfExists(candidate);
                }
            }
        } catch (PluginInstallException e) {
            refused(source, bsn, level, e);
            throw e;
        } catch (IOException e) {
            PluginInstallException x = new PluginInstallException(InstallError.INSTALL_FAILED, "cannot install " + source + ": "
                    + e, e);
            refused(source, bsn, level, x);
            throw x;
        }
    }

    /**
     * Installs a plugin named {@code obr:NAME[;version=RANGE][;repository=URL]} from the repositories, with the
     * dependencies it needs that the framework does not provide yet: every one passes the signature gate before the
     * first is installed, and when any is refused or fails to install or start, none stays.
     *
     * @return the plugin first, then the dependencies installed with it
     */
    List<InstalledPlugin> installFromRepositories(String source, SecurityLevel level)
            throws PluginInstallException {
        if (level == null) {
            throw new PluginInstallException(InstallError.BAD_SOURCE, "no security level: use low, medium or high");
        }
        Staged staged;
        synchronized (lock) {
            staged = stageFromRepositories(source, level);
        }
        List<InstalledPlugin> installed = startAll(staged);
        LOG.info("installed {} from the repositories with {} dependencies", installed.get(0).symbolicName(),
                installed.size() - 1);
        return installed;
    }

    private Staged stageFromRepositories(String source, SecurityLevel level) throws PluginInstallException {
        lifecycle.discovered(source);
        String bsn = null;
        List<Item> items = new ArrayList<>();
        List<String> dependencySources = new ArrayList<>();
        List<Path> downloads = new ArrayList<>();
        try {
            refuseInLockdown();
            TrustStore trust = loadTrust();
            PluginRepositories.Request request = PluginRepositories.Request.parse(source);
            bsn = request.symbolicName();
            List<IndexedResource> set = plan(request);
            for (IndexedResource r : set) {
                String src = r.content().toString();
                // the plugin keeps the operator's obr: source in the state machine; each dependency its URL
                String candidateSource = r == set.get(0) ? source : src;
                if (r != set.get(0)) {
                    lifecycle.discovered(src);
                    dependencySources.add(src);
                }
                Path candidate = fetcher.fetch(src);
                if (Fetcher.isDownload(candidate, src)) {
                    downloads.add(candidate);
                }
                String role = r == set.get(0) ? "" : " (a dependency of " + bsn + ")";
                Verdict v;
                try {
                    v = gate(trust, candidateSource, src, candidate);
                } catch (PluginInstallException e) {
                    throw new PluginInstallException(e.error(), r.id() + role + ": " + e.getMessage()
                            + "; nothing of " + bsn + " was installed", e);
                }
                items.add(new Item(candidateSource, v, r));
                if (r.sha256() != null && !r.sha256().equals(v.sha256())) {
                    throw new PluginInstallException(InstallError.CONTENT_MISMATCH, r.id() + role + ": " + src + " has SHA-256 "
                            + v.sha256() + " but the index " + r.index() + " says " + r.sha256()
                            + " (the index is stale or the file was replaced); nothing was installed");
                }
                if (!v.symbolicName().equals(r.symbolicName())
                        || !org.osgi.framework.Version.parseVersion(v.version()).equals(r.version())) {
                    throw new PluginInstallException(InstallError.CONTENT_MISMATCH, src + " is " + v.symbolicName() + " "
                            + v.version() + ", but the index " + r.index() + " lists it as " + r.symbolicName() + " "
                            + r.version() + "; nothing was installed");
                }
            }
            return stage(source, items, level, dependencySources);
        } catch (PluginInstallException | IOException e) {
            PluginInstallException x = e instanceof PluginInstallException ? (PluginInstallException) e
                    : new PluginInstallException(InstallError.INSTALL_FAILED, "cannot install " + source + ": " + e, e);
            refused(source, bsn, level, x);
            for (String dependency : dependencySources) {
                String name = items.stream().filter(i -> i.source().equals(dependency))
                        .map(i -> i.verdict().symbolicName()).findFirst().orElse(null);
                lifecycle.rejected(dependency, name, x.getMessage());
            }
            throw x;
        } finally {
            for (Item i : items) {
                try {
                    i.verdict().discardCopy();
                } catch (IOException e) {
                    LOG.warn("cannot delete the verified copy {}: {}", i.verdict().verifiedCopy(), e.toString());
                }
            }
            downloads.forEach(Fetcher::deleteQuietly);
        }
    }

    /** The resources to install for a request: the newest matching plugin first, then what it needs. */
    private List<IndexedResource> plan(PluginRepositories.Request request) throws PluginInstallException {
        List<String> locations = request.repository() != null ? List.of(request.repository())
                : repositories.configured();
        if (locations.isEmpty()) {
            throw new PluginInstallException(InstallError.NO_REPOSITORY, "no plugin repository is configured: set repositories "
                    + "in etc/io.autoweave.plugin.installer.cfg (a directory with index.xml, or an index URL), or "
                    + "name one: aw:install --repo URL " + request.symbolicName());
        }
        List<IndexedResource> all = new ArrayList<>();
        for (String l : locations) {
            all.addAll(repositories.read(l));
        }
        RepositoryResolver resolver = new RepositoryResolver(all, installed(), frameworkResolver);
        String bsn = request.symbolicName();
        List<IndexedResource> named = resolver.named(bsn, request.range());
        if (named.isEmpty()) {
            List<IndexedResource> any = resolver.named(bsn, null);
            throw new PluginInstallException(InstallError.UNKNOWN_PLUGIN, any.isEmpty()
                    ? "no resource named " + bsn + " in the repositories " + locations + " (aw:repos lists what they hold)"
                    : bsn + " has no version in " + request.range() + " in " + locations + "; there is "
                            + any.stream().map(r -> r.version().toString()).collect(Collectors.joining(", ")));
        }
        try {
            return resolver.resolve(named.get(0));
        } catch (RepositoryResolver.Unresolvable e) {
            throw new PluginInstallException(InstallError.UNRESOLVABLE, "cannot install " + bsn + ": " + e.getMessage()
                    + "; nothing was installed", e);
        }
    }

    /**
     * The resolved bundles and their capabilities, as the resolver sees the framework. Bundles at plugin locations
     * the installer did not record never resolve (LocationGuard), so they are not offered.
     */
    private RepositoryResolver.Installed installed() {
        List<BundleWiring> resolved = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            if (PluginLocation.isPlugin(b.getLocation()) && !ledger.contains(b.getLocation())) {
                continue;
            }
            BundleWiring w = b.adapt(BundleWiring.class);
            if (w != null && w.isInUse()) {
                resolved.add(w);
            }
        }
        return new RepositoryResolver.Installed() {
            @Override
            public List<Capability> providers(Requirement requirement) {
                List<Capability> found = new ArrayList<>();
                for (BundleWiring w : resolved) {
                    for (Capability c : w.getCapabilities(requirement.getNamespace())) {
                        if (RepositoryResolver.matches(requirement, c)) {
                            found.add(c);
                        }
                    }
                }
                return found;
            }

            @Override
            public Map<Resource, Wiring> wirings() {
                Map<Resource, Wiring> m = new HashMap<>();
                resolved.forEach(w -> m.put(w.getResource(), w));
                return m;
            }
        };
    }

    /**
     * The bytes for {@code installBundle}: without signature files while no permission row has a
     * {@code BundleSignerCondition} (see {@link FrameworkCopy}: the gate's verification is the only one), the signed
     * copy otherwise (and when the policy cannot be read), so such rows keep matching.
     */
    private InputStream frameworkCopy(Verdict v) throws IOException {
        if (signerConditionsInForce()) {
            return Files.newInputStream(v.verifiedCopy());
        }
        return new java.io.ByteArrayInputStream(FrameworkCopy.unsigned(v.verifiedCopy()));
    }

    private boolean signerConditionsInForce() {
        ConditionalPermissionAdmin admin = cpa;
        if (admin == null) {
            return true;
        }
        for (ConditionalPermissionInfo row : admin.newConditionalPermissionUpdate().getConditionalPermissionInfos()) {
            for (ConditionInfo c : row.getConditionInfos()) {
                if (SIGNER_CONDITION.equals(c.getType())) {
                    return true;
                }
            }
        }
        return false;
    }

    private void refuseInLockdown() throws PluginInstallException {
        if (monitor.isLockdown()) {
            throw new PluginInstallException(InstallError.LOCKDOWN, "the system is locked down, every install is refused ("
                    + "aw:lockdown shows why; aw:lockdown off lifts it)");
        }
    }

    /**
     * The signature gate and the block list for one fetched candidate.
     *
     * @param candidateSource the candidate's name in the state machine
     * @param from where its bytes came from, for the message
     */
    private Verdict gate(TrustStore trust, String candidateSource, String from, Path candidate)
            throws PluginInstallException, IOException {
        Verdict v = new JarVerifier(trust, VerifierLimits.defaults(), workDir, clock).verify(candidate);
        if (!v.isAccepted()) {
            throw new PluginInstallException(v.code(), "refused " + from + ": " + v.reason());
        }
        String bsn = v.symbolicName();
        lifecycle.validated(candidateSource, bsn);
        if (monitor.isBlocked(bsn)) {
            try {
                v.discardCopy();
            } catch (IOException e) {
                LOG.warn("cannot delete the verified copy {}: {}", v.verifiedCopy(), e.toString());
            }
            throw new PluginInstallException(InstallError.BLOCKED, bsn + " is blocked (" + monitor.blocked().get(bsn)
                    + "); aw:unblock " + bsn + " first");
        }
        return v;
    }

    private void refused(String source, String bsn, SecurityLevel level, PluginInstallException e) {
        LOG.warn("AUDIT plugin install refused: source={} level={} code={} reason={}", source, level, e.code(),
                e.getMessage());
        String rule = e.error() == InstallError.LOCKDOWN ? "lockdown" : e.error() == InstallError.BLOCKED ? "blocklist"
                : "install-gate:" + e.code();
        monitor.audit("install-refused", bsn == null ? source : bsn, rule, e.getMessage());
        if (e.error() != InstallError.START_FAILED && e.error() != InstallError.START_TIMEOUT) {
            lifecycle.rejected(source, bsn, e.getMessage());
        }
    }

    /** A candidate that passed the gate; {@code resource} is its index entry when it came from a repository. */
    private record Item(String source, Verdict verdict, IndexedResource resource) {
    }

    /** Candidates installed (not started yet) by {@link #stage}, for {@link #startAll}. */
    private record Staged(String source, SecurityLevel level, List<Item> items, List<Bundle> bundles,
            List<String> locations, List<String> dependencySources) {
    }

    /**
     * Installs verified candidates together at {@code plugin:<level>/<bsn>}, not started yet; when any fails every
     * one of them is uninstalled again.
     */
    private Staged stage(String source, List<Item> items, SecurityLevel level, List<String> dependencySources)
            throws PluginInstallException, IOException {
        for (Item i : items) {
            refuseDuplicate(i.verdict().symbolicName(), i.verdict().version());
        }
        List<String> locations = new ArrayList<>();
        List<Bundle> bundles = new ArrayList<>();
        String current = null;
        try {
            for (Item i : items) {
                Verdict v = i.verdict();
                current = v.symbolicName();
                String location = PluginLocation.plugin(level, v.symbolicName());
                locations.add(location);
                ledger.put(location, v.sha256(), signers(v.signers()));
                Bundle b;
                try (InputStream in = frameworkCopy(v)) {
                    b = ctx.installBundle(location, in);
                }
                bundles.add(b);
                // its start level is the framework's initial bundle start level, which the launcher sets to the
                // plugins' level (felix.startlevel.bundle = Launcher.PLUGIN_START_LEVEL): defined once, there
                lifecycle.installed(i.source(), b);
            }
        } catch (BundleException | IOException | RuntimeException e) {
            rollback(bundles, locations);
            String others = items.size() == 1 ? "" : " (with " + (items.size() - 1) + " dependencies, all removed)";
            throw new PluginInstallException(InstallError.INSTALL_FAILED, "the framework refused " + current + others + ": "
                    + e.getMessage(), e);
        }
        return new Staged(source, level, items, bundles, locations, dependencySources);
    }

    /** {@link #startAll} of a single plugin. */
    private InstalledPlugin startStaged(Staged staged) throws PluginInstallException {
        return startAll(staged).get(0);
    }

    /**
     * Starts staged plugins, dependencies first, each on a thread of its own with the start time-out, outside the
     * installer's lock. A start that fails removes them all again; one that does not return in time leaves them
     * installed, the hanging one FAILED and blocked (it cannot be uninstalled while its activator holds the bundle
     * lock; {@link BundleOps} ends it).
     */
    private List<InstalledPlugin> startAll(Staged staged) throws PluginInstallException {
        List<Bundle> bundles = staged.bundles();
        List<Item> items = staged.items();
        Bundle current = null;
        try {
            for (int k = bundles.size() - 1; k >= 0; k--) {
                current = bundles.get(k);
                if (current.getHeaders("").get(org.osgi.framework.Constants.FRAGMENT_HOST) == null) {
                    ops.run("start", current, Bundle::start);
                }
            }
        } catch (BundleOps.TimedOut e) {
            PluginInstallException x = startTimedOut(current, e);
            refused(staged.source(), current.getSymbolicName(), staged.level(), x);
            throw x;
        } catch (BundleException | RuntimeException e) {
            String others = items.size() == 1 ? "" : " (with " + (items.size() - 1) + " dependencies, all removed)";
            PluginInstallException x = new PluginInstallException(InstallError.START_FAILED, "plugin "
                    + current.getSymbolicName() + " installed but did not start, so it was removed again" + others
                    + ": " + e.getMessage(), e);
            synchronized (lock) {
                for (Bundle b : bundles) {
                    lifecycle.failed(b, e.getMessage());
                }
                rollback(bundles, staged.locations());
            }
            refused(staged.source(), current.getSymbolicName(), staged.level(), x);
            for (String dependency : staged.dependencySources()) {
                String name = items.stream().filter(i -> i.source().equals(dependency))
                        .map(i -> i.verdict().symbolicName()).findFirst().orElse(null);
                lifecycle.rejected(dependency, name, x.getMessage());
            }
            throw x;
        }
        List<InstalledPlugin> result = new ArrayList<>();
        for (int k = 0; k < bundles.size(); k++) {
            Bundle b = bundles.get(k);
            Item i = items.get(k);
            InstalledPlugin p = describe(b);
            result.add(p);
            String role = k == 0 || i.resource() == null ? "" : " as a dependency of " + items.get(0).verdict()
                    .symbolicName();
            LOG.info("AUDIT plugin installed: {} {} at {} (bundle {}, sha256 {}, {}){}", b.getSymbolicName(),
                    b.getVersion(), p.location(), b.getBundleId(), i.verdict().sha256(), i.verdict().reason(), role);
            monitor.audit("install-accepted", b.getSymbolicName(), "install-gate:ACCEPTED",
                    p.location() + " from " + i.source() + role + ", sha256 " + i.verdict().sha256() + ", "
                            + i.verdict().reason());
        }
        return result;
    }

    /** A plugin whose start() hangs: FAILED, blocked (stopped, kept from resolving), answered at once. */
    private PluginInstallException startTimedOut(Bundle b, BundleOps.TimedOut e) {
        String bsn = b.getSymbolicName();
        String reason = BundleOps.hung(b, ops, lifecycle, monitor);
        return new PluginInstallException(InstallError.START_TIMEOUT, "plugin " + bsn + ": " + reason + ", so it is marked "
                + "FAILED and blocked (aw:audit subject=" + bsn + "); remove it with aw:uninstall " + bsn, e);
    }

    private void refuseDuplicate(String bsn, String version) throws PluginInstallException {
        for (Bundle b : ctx.getBundles()) {
            if (!bsn.equals(b.getSymbolicName())) {
                continue;
            }
            String where = "bundle " + b.getBundleId() + " at " + b.getLocation();
            if (b.getVersion().toString().equals(version)) {
                throw new PluginInstallException(InstallError.DUPLICATE, bsn + " " + version + " is already installed (" + where
                        + "); nothing was changed");
            }
            if (PluginLocation.isPlugin(b.getLocation())) {
                throw new PluginInstallException(InstallError.DUPLICATE, bsn + " " + b.getVersion() + " is installed (" + where
                        + "); uninstall it first (aw:uninstall " + bsn + ") to install " + version);
            }
            throw new PluginInstallException(InstallError.DUPLICATE, bsn + " is the name of a runtime bundle (" + where
                    + "); a plugin cannot take it");
        }
    }

    private void rollback(List<Bundle> bundles, List<String> locations) {
        for (Bundle b : bundles) {
            try {
                b.uninstall();
            } catch (BundleException | RuntimeException e) {
                LOG.error("could not uninstall {} after a failed install: {}", b.getLocation(), e.toString());
            }
        }
        if (!bundles.isEmpty()) {
            ctx.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(bundles);
        }
        for (String location : locations) {
            try {
                ledger.remove(location);
            } catch (IOException e) {
                LOG.error("could not remove {} from the plugin ledger: {}", location, e.toString());
            }
        }
    }

    private void refresh(Bundle b) {
        ctx.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(b));
    }

    @Override
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

    @Override
    public InstalledPlugin start(String symbolicNameOrId, String actor) throws PluginInstallException {
        Bundle b = plugin(symbolicNameOrId, "starts");
        String bsn = b.getSymbolicName();
        if (monitor.isBlocked(bsn)) {
            monitor.audit("start-refused", bsn, "blocklist", "by " + actor + ": blocked");
            throw new PluginInstallException(InstallError.BLOCKED, bsn + " is blocked (" + monitor.blocked().get(bsn)
                    + "); unblock it first (aw:unblock " + bsn + ")");
        }
        if (monitor.isLockdown()) {
            monitor.audit("start-refused", bsn, "lockdown", "by " + actor + ": the system is locked down");
            throw new PluginInstallException(InstallError.LOCKDOWN, "the system is locked down; no plugin may start "
                    + "(aw:lockdown shows why; aw:lockdown off lifts it)");
        }
        try {
            ops.run("start", b, Bundle::start);
        } catch (BundleOps.TimedOut e) {
            monitor.audit("start-failed", bsn, "start-timeout", "by " + actor + ": " + e.getMessage());
            throw startTimedOut(b, e);
        } catch (BundleException | IllegalStateException | SecurityException e) {
            monitor.audit("start-failed", bsn, "operator", "by " + actor + ": " + e.getMessage());
            throw new PluginInstallException(InstallError.START_FAILED, bsn + " did not start: " + e.getMessage(), e);
        }
        monitor.audit("started", bsn, "operator", "by " + actor);
        return describe(b);
    }

    @Override
    public InstalledPlugin stop(String symbolicNameOrId, String actor) throws PluginInstallException {
        Bundle b = plugin(symbolicNameOrId, "stops");
        try {
            ops.run("stop", b, Bundle::stop);
        } catch (BundleException | IllegalStateException | SecurityException | BundleOps.TimedOut e) {
            monitor.audit("stop-failed", b.getSymbolicName(), "operator", "by " + actor + ": " + e.getMessage());
            throw new PluginInstallException(InstallError.STOP_FAILED, b.getSymbolicName() + " did not stop: " + e.getMessage(),
                    e);
        }
        monitor.audit("stopped", b.getSymbolicName(), "operator", "by " + actor);
        return describe(b);
    }

    @Override
    public InstalledPlugin uninstall(String symbolicNameOrId) throws PluginInstallException {
        Bundle found = plugin(symbolicNameOrId, "removes");
        InstalledPlugin before = describe(found);
        try {
            // bounded: a plugin whose activator still runs holds its bundle lock, and uninstall waits for it
            ops.run("uninstall", found, Bundle::uninstall);
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
                PluginLocation.levelOf(location), location, state != null ? state : stateOf(b.getState()),
                e == null || e.signer().isEmpty() ? null
                        : e.signer(), e == null ? null : e.sha256());
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
            throw new PluginInstallException(InstallError.NO_TRUST_STORE, "no plugin trust store at " + trustStore
                    + ", so every install is refused. Create it: keytool -importcert -trustcacerts -noprompt "
                    + "-alias plugins-ca -file CA.pem -storetype PKCS12 -keystore " + trustStore
                    + " -storepass PASSWORD, and put .trust.store.password=PASSWORD in "
                    + "etc/io.autoweave.plugin.installer.cfg");
        }
        try {
            // parsed once, again only when the file changed: a PKCS12 read costs two PBKDF2 derivations
            return trustCache.get(trustStore, trustPassword.length == 0 ? null : trustPassword);
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new PluginInstallException(InstallError.TRUST_STORE_INVALID, "cannot use the plugin trust store "
                    + trustStore + ": " + e.getMessage() + " (check .trust.store.password in "
                    + "etc/io.autoweave.plugin.installer.cfg)", e);
        }
    }
}
