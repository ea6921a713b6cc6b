package io.autoweave.plugin.installer.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.CodeSigner;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.condpermadmin.ConditionInfo;
import org.osgi.service.condpermadmin.ConditionalPermissionAdmin;
import org.osgi.service.condpermadmin.ConditionalPermissionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.plugin.PluginLocation;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.internal.lifecycle.BundleOps;
import io.autoweave.plugin.installer.internal.lifecycle.InstallRecorder;
import io.autoweave.plugin.installer.internal.lifecycle.InstalledPlugins;
import io.autoweave.plugin.installer.internal.lifecycle.PluginLedger;
import io.autoweave.plugin.installer.internal.repository.IndexedResource;
import io.autoweave.plugin.installer.internal.verify.FrameworkCopy;
import io.autoweave.plugin.installer.internal.verify.Verdict;

/**
 * The last steps of an install, after the gate accepted every candidate: record each in the {@link PluginLedger},
 * {@code installBundle} from the verified copy at {@code plugin:<level>/<bsn>} ({@link #stage}, under the
 * installer's lock), then start them outside the lock ({@link #startAll}). All or nothing: a failure uninstalls every
 * one of them and removes their ledger entries.
 */
final class FrameworkStaging {
    private static final Logger LOG = LoggerFactory.getLogger(FrameworkStaging.class);
    static final String SIGNER_CONDITION = "org.osgi.service.condpermadmin.BundleSignerCondition";

    private final BundleContext ctx;
    private final PluginLedger ledger;
    private final InstallRecorder record;
    private final InstalledPlugins operations;
    /** The installer's lock: held while staging, and while a failed start is rolled back. */
    private final Object lock;
    /** Read at each install: whether any row uses a signer condition (null: keep the signatures). */
    private final Supplier<ConditionalPermissionAdmin> cpa;
    /** The time-outs in force (the installer's configuration, replaced when it changes). */
    private final Supplier<BundleOps> ops;

    FrameworkStaging(BundleContext ctx, PluginLedger ledger, InstallRecorder record, InstalledPlugins operations,
            Object lock, Supplier<ConditionalPermissionAdmin> cpa, Supplier<BundleOps> ops) {
        this.ctx = ctx;
        this.ledger = ledger;
        this.record = record;
        this.operations = operations;
        this.lock = lock;
        this.cpa = cpa;
        this.ops = ops;
    }

    /** A candidate that passed the gate; {@code resource} is its index entry when it came from a repository. */
    record Item(String source, Verdict verdict, IndexedResource resource) {
    }

    /** Candidates installed (not started yet) by {@link #stage}, for {@link #startAll}. */
    record Staged(String source, SecurityLevel level, List<Item> items, List<Bundle> bundles,
            List<String> locations, List<String> dependencySources) {
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
        ConditionalPermissionAdmin admin = cpa.get();
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

    /** The dependencies named in a repository install, with the symbolic names the gate read (when it got so far). */
    static List<InstallRecorder.Dependency> dependencies(List<String> sources, List<Item> items) {
        List<InstallRecorder.Dependency> list = new ArrayList<>();
        for (String dependency : sources) {
            String name = items.stream().filter(i -> i.source().equals(dependency))
                    .map(i -> i.verdict().symbolicName()).findFirst().orElse(null);
            list.add(new InstallRecorder.Dependency(dependency, name));
        }
        return list;
    }

    /**
     * Installs verified candidates together at {@code plugin:<level>/<bsn>}, not started yet; when any fails every
     * one of them is uninstalled again.
     */
    Staged stage(String source, List<Item> items, SecurityLevel level, List<String> dependencySources)
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
                record.installed(i.source(), b);
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
    InstalledPlugin startStaged(Staged staged) throws PluginInstallException {
        return startAll(staged).get(0);
    }

    /**
     * Starts staged plugins, dependencies first, each on a thread of its own with the start time-out, outside the
     * installer's lock. A start that fails removes them all again; one that does not return in time leaves them
     * installed, the hanging one FAILED and blocked (it cannot be uninstalled while its activator holds the bundle
     * lock; {@link BundleOps} ends it).
     */
    List<InstalledPlugin> startAll(Staged staged) throws PluginInstallException {
        List<Bundle> bundles = staged.bundles();
        List<Item> items = staged.items();
        Bundle current = null;
        try {
            for (int k = bundles.size() - 1; k >= 0; k--) {
                current = bundles.get(k);
                if (current.getHeaders("").get(org.osgi.framework.Constants.FRAGMENT_HOST) == null) {
                    ops.get().run("start", current, Bundle::start);
                }
            }
        } catch (BundleOps.TimedOut e) {
            PluginInstallException x = operations.timedOut(current, e);
            record.refused(staged.source(), current.getSymbolicName(), staged.level(), x, List.of());
            throw x;
        } catch (BundleException | RuntimeException e) {
            String others = items.size() == 1 ? "" : " (with " + (items.size() - 1) + " dependencies, all removed)";
            PluginInstallException x = new PluginInstallException(InstallError.START_FAILED, "plugin "
                    + current.getSymbolicName() + " installed but did not start, so it was removed again" + others
                    + ": " + e.getMessage(), e);
            synchronized (lock) {
                record.startFailed(bundles, e.getMessage());
                rollback(bundles, staged.locations());
            }
            record.refused(staged.source(), current.getSymbolicName(), staged.level(), x,
                    dependencies(staged.dependencySources(), items));
            throw x;
        }
        List<InstalledPlugin> result = new ArrayList<>();
        for (int k = 0; k < bundles.size(); k++) {
            Bundle b = bundles.get(k);
            Item i = items.get(k);
            InstalledPlugin p = operations.describe(b);
            result.add(p);
            String role = k == 0 || i.resource() == null ? "" : " as a dependency of " + items.get(0).verdict()
                    .symbolicName();
            record.accepted(b, p, i.source(), role, i.verdict().sha256(), i.verdict().reason());
        }
        return result;
    }

    void refuseDuplicate(String bsn, String version) throws PluginInstallException {
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

    private static String signers(List<CodeSigner> signers) {
        return signers.stream()
                .map(s -> ((X509Certificate) s.getSignerCertPath().getCertificates().get(0))
                        .getSubjectX500Principal().getName())
                .collect(Collectors.joining("; "));
    }
}
