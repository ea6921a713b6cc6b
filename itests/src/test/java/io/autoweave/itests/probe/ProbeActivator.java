package io.autoweave.itests.probe;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Activator of the test bundles the integration tests build at run time. It reads a system property, which
 * needs {@code PropertyPermission} — granted to core locations, denied to everything else by the final row.
 */
public class ProbeActivator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        System.setProperty("autoweave.itest.probe." + context.getBundle().getBundleId(),
                System.getProperty("java.version"));
    }

    @Override
    public void stop(BundleContext context) {
        // nothing to release
    }
}
