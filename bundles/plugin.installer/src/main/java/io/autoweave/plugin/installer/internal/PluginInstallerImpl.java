package io.autoweave.plugin.installer.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.resolver.Resolver;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.condpermadmin.ConditionalPermissionAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.data.DataDirectory;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.api.plugin.PluginState;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.PluginInstaller;
import io.autoweave.plugin.installer.PluginMode;
import io.autoweave.plugin.installer.internal.isolated.IsolatedInstalls;
import io.autoweave.pluginhost.IsolatedPlugins;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.plugin.installer.internal.verify.VerifierLimits;
import io.autoweave.plugin.installer.internal.verify.Verdict;
import io.autoweave.plugin.installer.internal.verify.TrustStore;
import io.autoweave.plugin.installer.internal.verify.JarVerifier;
import io.autoweave.plugin.installer.internal.repository.RepositoryPlanner;
import io.autoweave.plugin.installer.internal.repository.PluginRepositories;
import io.autoweave.plugin.installer.internal.repository.IndexedResource;
import io.autoweave.plugin.installer.internal.lifecycle.PluginLifecycle;
import io.autoweave.plugin.installer.internal.lifecycle.PluginLedger;
import io.autoweave.plugin.installer.internal.config.InstallerConfig;
import io.autoweave.plugin.installer.internal.config.InstallerConfigs;
import io.autoweave.plugin.installer.internal.lifecycle.BundleOps;
import io.autoweave.plugin.installer.internal.lifecycle.InstallRecorder;
import io.autoweave.plugin.installer.internal.lifecycle.InstalledPlugins;
import io.autoweave.plugin.installer.internal.fetch.Fetcher;

/**
 * The installer service: the entry of every install, and the one place that walks it. {@link Fetcher} (file, URL) or
 * {@link RepositoryPlanner} ({@code obr:}) → {@link JarVerifier} (trust store re-read only when its file changed) and
 * the block list → {@link FrameworkStaging} (ledger, {@code installBundle} from the verified copy, start outside the
 * lock with a time-out). Each step is reported once to the {@link InstallRecorder}, which moves the state machine and
 * writes the audit. In lockdown every install is refused, and so is a plugin whose symbolic name is blocked.
 * Operations on installed plugins (start, stop, uninstall) are {@link InstalledPlugins}'.
 */
@Component(service = PluginInstaller.class, configurationPid = InstallerConfigs.PID)
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
    /** What an obr: install brings: the plugin and the dependencies the framework lacks. */
    private final RepositoryPlanner planner;
    private final Clock clock;
    private final SecurityMonitor monitor;
    private final PluginLifecycle lifecycle;
    /** Every outcome goes here once: state machine, audit record, AUDIT line. */
    private final InstallRecorder record;
    /** Start, stop, uninstall and describe what is installed. */
    private final InstalledPlugins operations;
    /** Puts verified candidates into the framework and starts them: all or nothing. */
    private final FrameworkStaging staging;
    private volatile BundleOps ops;
    private final Path dataDir;
    private final LastGoodConfig<InstallerConfig, InstallerConfig> lastGood = new LastGoodConfig<>(InstallerConfigs.PID,
            InstallerConfig.class, InstallerConfigs::check);
    /** Held while candidates are checked and installed, never while plugin code runs. */
    private final Object lock = new Object();


    /** The plugin-host bundle's service: plugins in isolated mode. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile IsolatedPlugins hosts;

    /** Plugins installed isolated: deploy, list, start, stop, uninstall. */
    private final IsolatedInstalls isolated;
    private volatile InstallerConfig config;

    /** Read at each install: whether any row uses a signer condition (null: keep the signatures). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ConditionalPermissionAdmin cpa;

    @Activate
    public PluginInstallerImpl(BundleContext ctx, @Reference PluginLedger ledger, @Reference SecurityMonitor monitor,
            @Reference PluginLifecycle lifecycle, @Reference PluginRepositories repositories,
            @Reference Resolver frameworkResolver, InstallerConfig config, Map<String, Object> properties) {
        this(ctx, ledger, monitor, lifecycle, repositories, frameworkResolver, config, properties,
                DataDirectory.require(ctx), ctx.getDataFile("work").toPath(), Clock.systemUTC());
    }

    PluginInstallerImpl(BundleContext ctx, PluginLedger ledger, SecurityMonitor monitor, PluginLifecycle lifecycle,
            PluginRepositories repositories, Resolver frameworkResolver, InstallerConfig config, Map<String, ?> properties,
            Path dataDir, Path workDir, Clock clock) {
        this.ctx = ctx;
        this.ledger = ledger;
        this.dataDir = dataDir;
        this.workDir = workDir;
        this.planner = new RepositoryPlanner(repositories, frameworkResolver, ctx, ledger::contains);
        this.clock = clock;
        this.monitor = monitor;
        this.lifecycle = lifecycle;
        this.record = new InstallRecorder(lifecycle, monitor);
        this.operations = new InstalledPlugins(ctx, ledger, lifecycle, monitor, record, lock, () -> ops);
        this.staging = new FrameworkStaging(ctx, ledger, record, operations, lock, () -> cpa, () -> ops);
        this.isolated = new IsolatedInstalls(dataDir, () -> hosts, lifecycle, record, monitor);
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
        this.config = config;
        this.trustStore = dataDir.resolve(config.trust_store_path()).toAbsolutePath().normalize();
        this.trustPassword = config._trust_store_password() == null ? new char[0]
                : config._trust_store_password().toCharArray();
        this.fetcher = new Fetcher(workDir, config.download_timeout_seconds() * 1000,
                VerifierLimits.defaults().maxArchiveBytes());
        this.ops = BundleOps.of(config);
    }

    /** How long an install waits for an isolated plugin's host to be ready (a JVM start; slow on a busy machine). */
    static final long ISOLATED_READY_MILLIS = 45_000;

    /**
     * Where a plugin runs when the install does not say: the configured {@code default.mode}, but always isolated
     * when this JVM has no SecurityManager (Java 24 and later), as in-process plugins would run unconfined there.
     */
    PluginMode defaultMode() {
        if (!inProcessAvailable()) {
            return PluginMode.ISOLATED;
        }
        return PluginMode.parse(config.default_mode());
    }

    /** In-process plugins need framework security: the SecurityManager and ConditionalPermissionAdmin. */
    static boolean inProcessAvailable() {
        @SuppressWarnings("removal")
        SecurityManager sm = System.getSecurityManager();
        return sm != null;
    }

    @Override
    public InstalledPlugin install(String source, SecurityLevel level) throws PluginInstallException {
        return install(source, level, defaultMode());
    }

    @Override
    public InstalledPlugin install(String source, SecurityLevel level, PluginMode mode) throws PluginInstallException {
        if (mode == PluginMode.ISOLATED) {
            return installIsolated(source, level);
        }
        if (!inProcessAvailable()) {
            throw new PluginInstallException(InstallError.IN_PROCESS_UNAVAILABLE, "this runtime runs on Java "
                    + Runtime.version().feature() + " without the SecurityManager, so a plugin in process would run "
                    + "unconfined: install it isolated (mode isolated), or run the runtime on Java 17");
        }
        if (source != null && source.trim().regionMatches(true, 0, PluginRepositories.OBR_PREFIX, 0, 4)) {
            return installFromRepositories(source.trim(), level).get(0);
        }
        if (level == null) {
            throw new PluginInstallException(InstallError.BAD_SOURCE, "no security level: use low, medium or high");
        }
        FrameworkStaging.Staged staged;
        synchronized (lock) {
            staged = stageOne(source, level);
        }
        return staging.startStaged(staged);
    }

    /**
     * The same gate as in process (lockdown, trust store, fetch, signature, block list, duplicates), then the verified
     * jar runs in a plugin host of its own; the wait for the host is outside the lock.
     */
    private InstalledPlugin installIsolated(String source, SecurityLevel level) throws PluginInstallException {
        if (level == null) {
            throw new PluginInstallException(InstallError.BAD_SOURCE, "no security level: use low, medium or high");
        }
        if (source != null && source.trim().regionMatches(true, 0, PluginRepositories.OBR_PREFIX, 0, 4)) {
            throw new PluginInstallException(InstallError.BAD_SOURCE, "an obr: install brings its dependencies into "
                    + "the runtime's framework, which an isolated plugin does not share: install the plugin isolated "
                    + "from a file or URL (its host has Declarative Services and the SLF4J API; other bundles it "
                    + "needs go in the jar)");
        }
        IsolatedInstalls.Deployed deployed;
        synchronized (lock) {
            record.discovered(source);
            String bsn = null;
            try {
                refuseInLockdown();
                isolated.requireAvailable();
                TrustStore trust = loadTrust();
                try (Fetcher.Fetched candidate = fetcher.fetch(source)) {
                    Verdict v = gate(trust, source, source, candidate.file());
                    bsn = v.symbolicName();
                    try {
                        staging.refuseDuplicate(bsn, v.version());
                        deployed = isolated.deploy(source, v, level, List.of(config.isolated_runtime_bundles()));
                    } finally {
                        v.discardCopy();
                    }
                }
            } catch (PluginInstallException e) {
                record.refused(source, bsn, level, e, List.of());
                throw e;
            } catch (IOException | RuntimeException e) {
                PluginInstallException x = new PluginInstallException(InstallError.INSTALL_FAILED, "cannot install "
                        + source + " isolated: " + e, e);
                record.refused(source, bsn, level, x, List.of());
                throw x;
            }
        }
        try {
            return isolated.finish(deployed, ISOLATED_READY_MILLIS);
        } catch (PluginInstallException e) {
            record.refused(source, deployed.symbolicName(), level, e, List.of());
            throw e;
        }
    }

    private FrameworkStaging.Staged stageOne(String source, SecurityLevel level) throws PluginInstallException {
        record.discovered(source);
        String bsn = null;
        try {
            refuseInLockdown();
            TrustStore trust = loadTrust(); // before fetching: without trust nothing can be accepted
            try (Fetcher.Fetched candidate = fetcher.fetch(source)) {
                Verdict v = gate(trust, source, source, candidate.file());
                bsn = v.symbolicName();
                try {
                    return staging.stage(source, List.of(new FrameworkStaging.Item(source, v, null)), level, List.of());
                } finally {
                    v.discardCopy();
                }
            }
        } catch (PluginInstallException e) {
            record.refused(source, bsn, level, e, List.of());
            throw e;
        } catch (IOException e) {
            PluginInstallException x = new PluginInstallException(InstallError.INSTALL_FAILED, "cannot install " + source + ": "
                    + e, e);
            record.refused(source, bsn, level, x, List.of());
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
        FrameworkStaging.Staged staged;
        synchronized (lock) {
            staged = stageFromRepositories(source, level);
        }
        List<InstalledPlugin> installed = staging.startAll(staged);
        LOG.info("installed {} from the repositories with {} dependencies", installed.get(0).symbolicName(),
                installed.size() - 1);
        return installed;
    }

    private FrameworkStaging.Staged stageFromRepositories(String source, SecurityLevel level) throws PluginInstallException {
        record.discovered(source);
        String bsn = null;
        List<FrameworkStaging.Item> items = new ArrayList<>();
        List<String> dependencySources = new ArrayList<>();
        List<Fetcher.Fetched> fetched = new ArrayList<>();
        try {
            refuseInLockdown();
            TrustStore trust = loadTrust();
            PluginRepositories.Request request = PluginRepositories.Request.parse(source);
            bsn = request.symbolicName();
            List<IndexedResource> set = planner.plan(request);
            for (IndexedResource r : set) {
                String src = r.content().toString();
                // the plugin keeps the operator's obr: source in the state machine; each dependency its URL
                String candidateSource = r == set.get(0) ? source : src;
                if (r != set.get(0)) {
                    record.discovered(src);
                    dependencySources.add(src);
                }
                Fetcher.Fetched candidate = fetcher.fetch(src);
                fetched.add(candidate);
                String role = r == set.get(0) ? "" : " (a dependency of " + bsn + ")";
                Verdict v;
                try {
                    v = gate(trust, candidateSource, src, candidate.file());
                } catch (PluginInstallException e) {
                    throw new PluginInstallException(e.error(), r.id() + role + ": " + e.getMessage()
                            + "; nothing of " + bsn + " was installed", e);
                }
                items.add(new FrameworkStaging.Item(candidateSource, v, r));
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
            return staging.stage(source, items, level, dependencySources);
        } catch (PluginInstallException | IOException e) {
            PluginInstallException x = e instanceof PluginInstallException ? (PluginInstallException) e
                    : new PluginInstallException(InstallError.INSTALL_FAILED, "cannot install " + source + ": " + e, e);
            record.refused(source, bsn, level, x, FrameworkStaging.dependencies(dependencySources, items));
            throw x;
        } finally {
            for (FrameworkStaging.Item i : items) {
                try {
                    i.verdict().discardCopy();
                } catch (IOException e) {
                    LOG.warn("cannot delete the verified copy {}: {}", i.verdict().verifiedCopy(), e.toString());
                }
            }
            fetched.forEach(Fetcher.Fetched::close);
        }
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
        record.validated(candidateSource, bsn);
        if (monitor.isBlocked(bsn)) {
            try {
                v.discardCopy();
            } catch (IOException e) {
                LOG.warn("cannot delete the verified copy {}: {}", v.verifiedCopy(), e.toString());
            }
            throw new PluginInstallException(InstallError.BLOCKED, bsn + " is blocked (" + monitor.blocked().get(bsn)
                    + "); aw:unblock " + bsn + " first");
        }
        try {
            isolated.refuseDuplicate(bsn, v.version()); // one plugin of a name, in process or isolated
        } catch (PluginInstallException e) {
            try {
                v.discardCopy();
            } catch (IOException x) {
                LOG.warn("cannot delete the verified copy {}: {}", v.verifiedCopy(), x.toString());
            }
            throw e;
        }
        return v;
    }

    @Override
    public List<InstalledPlugin> plugins() {
        List<InstalledPlugin> all = new ArrayList<>(operations.plugins());
        all.addAll(isolated.plugins());
        return all;
    }

    /** Whether the name is an isolated plugin's and no bundle of the framework's (names and ids go in process). */
    private boolean isIsolated(String symbolicNameOrId) {
        if (symbolicNameOrId == null || isolated.find(symbolicNameOrId).isEmpty()) {
            return false;
        }
        for (org.osgi.framework.Bundle b : ctx.getBundles()) {
            if (symbolicNameOrId.equals(b.getSymbolicName()) || symbolicNameOrId.equals(String.valueOf(
                    b.getBundleId()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public InstalledPlugin start(String symbolicNameOrId, String actor) throws PluginInstallException {
        if (isIsolated(symbolicNameOrId)) {
            return isolated.start(symbolicNameOrId, actor, ISOLATED_READY_MILLIS);
        }
        return operations.start(symbolicNameOrId, actor);
    }

    @Override
    public InstalledPlugin stop(String symbolicNameOrId, String actor) throws PluginInstallException {
        if (isIsolated(symbolicNameOrId)) {
            return isolated.stop(symbolicNameOrId, actor, ISOLATED_READY_MILLIS);
        }
        return operations.stop(symbolicNameOrId, actor);
    }

    @Override
    public InstalledPlugin uninstall(String symbolicNameOrId) throws PluginInstallException {
        if (isIsolated(symbolicNameOrId)) {
            synchronized (lock) {
                return isolated.uninstall(symbolicNameOrId);
            }
        }
        return operations.uninstall(symbolicNameOrId);
    }

    @Override
    public Map<String, PluginState> states() {
        Map<String, PluginState> all = new java.util.LinkedHashMap<>(lifecycle.states());
        for (InstalledPlugin p : isolated.plugins()) {
            all.put(p.symbolicName(), p.state()); // the host's state is the truth (crashes, blocks, restarts)
        }
        return java.util.Collections.unmodifiableMap(all);
    }

    private TrustStore loadTrust() throws PluginInstallException {
        return trustCache.require(trustStore, trustPassword);
    }
}
