package io.autoweave.security.internal;

import java.util.concurrent.atomic.AtomicLong;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.permission.PermissionGeneration;

/**
 * The runtime's one permission generation ({@link PermissionGeneration}). It moves after every change that can
 * alter a permission answer: a policy commit ({@link PolicyManager}), a block, an unblock, lockdown on or off
 * ({@link SecurityMonitorImpl}), and a bundle updated, unresolved (refreshed) or uninstalled (a synchronous bundle
 * listener, so the move happens before the framework call returns). The security bundle is the only one that
 * commits ConditionalPermissionAdmin after the launcher's first commit, so those are all the changes there are.
 *
 * <p>The value starts at the monotonic clock and never falls below it, so a restarted provider in the same JVM
 * always continues above any value handed out before.
 */
@Component(service = { PermissionGeneration.class, PermissionGenerations.class }, immediate = true,
        property = PermissionGeneration.PROVIDER + "=io.autoweave.security")
public final class PermissionGenerations implements PermissionGeneration, SynchronousBundleListener {
    private static final Logger LOG = LoggerFactory.getLogger(PermissionGenerations.class);

    private final AtomicLong value = new AtomicLong(Math.max(1, System.nanoTime()));
    private BundleContext ctx;

    @Activate
    void activate(BundleContext context) {
        this.ctx = context;
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        ctx.removeBundleListener(this);
    }

    @Override
    public long current() {
        return value.get();
    }

    /** Moves the generation; call it after the change took effect, never before. */
    public long bump(String why) {
        long g = value.updateAndGet(v -> Math.max(v + 1, System.nanoTime()));
        LOG.debug("permission generation {}: {}", g, why);
        return g;
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        switch (event.getType()) {
            case BundleEvent.UPDATED:
            case BundleEvent.UNRESOLVED:
            case BundleEvent.UNINSTALLED:
                bump("bundle " + event.getBundle().getBundleId() + " event " + event.getType());
                break;
            default:
                break;
        }
    }
}
