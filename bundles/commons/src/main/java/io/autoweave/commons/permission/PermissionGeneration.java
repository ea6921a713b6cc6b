package io.autoweave.commons.permission;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The runtime's one counter of "what a bundle may do": a service whose value changes, <em>after</em> the change took
 * effect, whenever a permission answer can change (a ConditionalPermissionAdmin commit, a policy reload, a bundle
 * updated, refreshed or uninstalled, a block, an unblock, lockdown on or off). A decision made while the value was
 * {@code g} may be reused as long as {@link #current()} still returns {@code g}.
 *
 * <p>Values only grow, also across a restart of the providing bundle in the same JVM, so a cache never mistakes a
 * new provider's value for one it saw before.
 */
@ProviderType
public interface PermissionGeneration {

    /** The service property naming the provider, for logs and {@code aw:health}. */
    String PROVIDER = "autoweave.permission.generation.provider";

    /** The current generation; read it before evaluating a decision, never after. */
    long current();
}
