package io.autoweave.security.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.permissionadmin.PermissionAdmin;
import org.osgi.service.permissionadmin.PermissionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.plugin.PluginLocation;

/**
 * What a block or a lockdown does to plugins in the framework: take their permissions (PermissionAdmin, in force at
 * the very next check), move the permission generation, stop and refresh them on a thread of their own, and, when a
 * lockdown ends, start again those that were meant to run. The decisions are the {@link SecurityMonitorImpl}'s.
 */
final class PluginEnforcement {
    private static final Logger LOG = LoggerFactory.getLogger(PluginEnforcement.class);

    private final BundleContext ctx;
    private final Supplier<PermissionAdmin> permissionAdmin;
    private final Supplier<PermissionGenerations> generations;

    PluginEnforcement(BundleContext ctx, Supplier<PermissionAdmin> permissionAdmin,
            Supplier<PermissionGenerations> generations) {
        this.ctx = ctx;
        this.permissionAdmin = permissionAdmin;
        this.generations = generations;
    }

    /**
     * Takes every permission from the bundle at {@code location} but importing packages (a PermissionAdmin entry).
     * Import is kept so that a later resolve of the blocked plugin reaches the resolver gate, which refuses it and
     * audits the refused start; without it the framework drops the candidates for its imports first and the refusal
     * would go unrecorded. Importing runs none of the plugin's code: the gate keeps it from resolving.
     */
    void revokeAll(String location) {
        PermissionAdmin pa = permissionAdmin.get();
        if (pa != null) {
            pa.setPermissions(location, new PermissionInfo[] {
                    new PermissionInfo(org.osgi.framework.PackagePermission.class.getName(), "*",
                            org.osgi.framework.PackagePermission.IMPORT) });
        }
    }

    /** Removes the revocation of every location of plugin {@code bsn}, installed or not (it may come back). */
    void restore(String bsn) {
        PermissionAdmin pa = permissionAdmin.get();
        String[] locations = pa == null ? null : pa.getLocations();
        if (locations == null) {
            return;
        }
        for (String l : locations) {
            if (PluginLocation.isPlugin(l) && l.endsWith("/" + bsn)) {
                pa.setPermissions(l, null);
            }
        }
    }

    void moved(String why) {
        PermissionGenerations g = generations.get();
        if (g != null) {
            g.bump(why);
        }
    }

    List<Bundle> pluginBundles(String bsn) {
        List<Bundle> list = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            if (PluginLocation.isPlugin(b.getLocation())
                    && (bsn == null || bsn.equals(b.getSymbolicName()))) {
                list.add(b);
            }
        }
        return list;
    }

    FrameworkWiring wiring() {
        return ctx.getBundle(0).adapt(FrameworkWiring.class);
    }

    /**
     * Stops on a thread of its own: stopping waits for the bundle's lock, which a plugin whose activator is still
     * running holds, and the worker must keep recording meanwhile.
     */
    void stopAndRefresh(List<Bundle> bundles, int options) {
        if (bundles.isEmpty()) {
            return;
        }
        Thread t = new Thread(() -> {
            for (Bundle b : bundles) {
                try {
                    if (b.getState() != Bundle.UNINSTALLED) {
                        b.stop(options);
                    }
                } catch (BundleException | IllegalStateException e) {
                    LOG.warn("could not stop {}: {}", b.getSymbolicName(), e.toString());
                }
            }
            wiring().refreshBundles(bundles);
        }, "autoweave-security-stop");
        t.setDaemon(true);
        t.start();
    }

    void startAll(List<Bundle> bundles) {
        if (bundles.isEmpty()) {
            return;
        }
        Thread t = new Thread(() -> {
            for (Bundle b : bundles) {
                try {
                    b.start();
                } catch (BundleException | IllegalStateException e) {
                    LOG.warn("could not restart {} after lockdown: {}", b.getSymbolicName(), e.toString());
                }
            }
        }, "autoweave-security-start");
        t.setDaemon(true);
        t.start();
    }
}
