package io.autoweave.commons.permission;

import java.util.function.LongSupplier;

import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The {@link PermissionGeneration} service as a {@link LongSupplier} for a {@link DecisionCache}: its value while
 * the service is there, {@link DecisionCache#UNKNOWN} (cache nothing, ask every time) while it is not. For classes
 * that are not DS components themselves; a component should rather take the service as a reference.
 */
public final class GenerationTracker implements LongSupplier, AutoCloseable {

    private final ServiceTracker<PermissionGeneration, PermissionGeneration> tracker;

    /** Starts tracking in {@code context}; {@link #close()} stops. */
    public GenerationTracker(BundleContext context) {
        tracker = new ServiceTracker<>(context, PermissionGeneration.class, null);
        tracker.open();
    }

    @Override
    public long getAsLong() {
        PermissionGeneration g = tracker.getService();
        return g == null ? DecisionCache.UNKNOWN : g.current();
    }

    @Override
    public void close() {
        tracker.close();
    }
}
