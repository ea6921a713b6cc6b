package io.autoweave.itests.probe;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * A plugin whose service says, each time it is asked ({@link #toString()}), whether its code may read the
 * {@code user.home} system property now: the policy reload test grants and takes that permission while it runs.
 * One class, no lambdas: the test packs exactly this class file into the bundle.
 */
public class PropertyProbe implements BundleActivator, UsbEventListener {

    @Override
    public void start(BundleContext context) {
        context.registerService(UsbEventListener.class, this, null);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }

    @Override
    public String toString() {
        try {
            System.getProperty("user.home");
            return "user.home allowed";
        } catch (SecurityException e) {
            return "user.home denied";
        }
    }

    @Override
    public void onEvent(UsbEvent event) {
        // not used
    }
}
