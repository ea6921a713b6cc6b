package io.autoweave.itests.probe;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * A plain OSGi plugin (an activator, a whiteboard listener) for {@code IsolatedPluginIT}, run in a plugin host.
 * {@code itest.isolated.polite} prints {@code isolated got SERIAL} per event; {@code itest.isolated.exit} calls
 * {@code System.exit} in {@code start()}, which in process would end the runtime.
 */
public class IsolatedProbeActivator implements BundleActivator, UsbEventListener {

    @Override
    public void start(BundleContext ctx) {
        if (ctx.getBundle().getSymbolicName().endsWith(".exit")) {
            System.exit(5);
        }
        ctx.registerService(UsbEventListener.class, this, new Hashtable<>());
    }

    @Override
    public void stop(BundleContext ctx) {
        // the service goes with the bundle
    }

    @Override
    public void onEvent(UsbEvent event) {
        System.out.println("isolated got " + event.device().serial() + " on JDK " + Runtime.version().feature()
                + ", SecurityManager " + (System.getSecurityManager() == null ? "none" : "set"));
    }
}
