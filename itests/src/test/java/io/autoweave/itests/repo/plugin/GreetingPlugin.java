package io.autoweave.itests.repo.plugin;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.itests.repo.lib.Greeting;

/**
 * The plugin of the repository tests: it needs the library bundle (imports its package) and registers the one
 * service a plugin may, with the library's text as a property.
 */
public class GreetingPlugin implements BundleActivator, UsbEventListener {

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("greeting", Greeting.text());
        context.registerService(UsbEventListener.class, this, props);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }

    @Override
    public void onEvent(UsbEvent event) {
        // nothing to do
    }
}
