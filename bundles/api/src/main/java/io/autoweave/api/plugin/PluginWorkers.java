package io.autoweave.api.plugin;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The runtime-owned threads that call into plugins (today: the USB listener workers of the pipeline, one worker
 * thread and one bounded queue per bundle), as seen and steered by the resource enforcer.
 *
 * <p>The provider only measures and obeys; every decision (limits, levels, violations) is the caller's. Core
 * bundles only: no plugin is granted {@code ServicePermission} GET on this type.
 */
@ProviderType
public interface PluginWorkers {

    /** Figures of every bundle that has a worker now, or an abandoned worker thread that is still alive. */
    List<WorkerFigures> figures();

    /**
     * Sheds the bundle's load: drops every event queued for it and every event offered to it during the next
     * {@code millis} (each drop counted in {@link WorkerFigures#shed()}). Other bundles are not affected. A bundle
     * with no worker yet (throttled before it registered a listener) is shed as well: the period applies to the
     * worker it gets before the period ends.
     *
     * @return the number of queued events dropped now, or -1 if the bundle has no worker yet
     */
    int shed(long bundleId, long millis);

    /** Interrupts the call in progress on the bundle's worker; false if it is idle or has no worker. */
    boolean interrupt(long bundleId);

    /**
     * Replaces the bundle's worker thread. Graceful ({@code abandon} false): the current thread hands over to a new
     * one after its current call, so deliveries stay in order. Abandon: a new thread takes the queue at once; the
     * old one is left to return (or not) on its own, is never fed again, and stays in
     * {@link WorkerFigures#threadIds()} while it lives.
     *
     * @return false if the bundle has no worker
     */
    boolean recycle(long bundleId, boolean abandon, String reason);
}
