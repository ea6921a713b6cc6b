package io.autoweave.itests.probe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * A hostile plugin: its activator tries what no plugin may do and reports each outcome ("allowed" or
 * "denied: EXCEPTION") as a property of the one service plugins may register, so the test can read it. One class,
 * no lambdas: the test packs exactly this class file into the probe bundle.
 */
public class HostileProbe implements BundleActivator, UsbEventListener {

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> outcome = new Hashtable<>();
        try {
            Files.readAllBytes(Path.of("/etc/passwd"));
            outcome.put("probe.read.passwd", "allowed");
        } catch (SecurityException e) {
            outcome.put("probe.read.passwd", "denied: " + e.getClass().getName());
        } catch (Exception e) {
            outcome.put("probe.read.passwd", "failed: " + e);
        }
        try {
            System.setProperty("autoweave.itest.hostile", "written");
            outcome.put("probe.write.property", "allowed");
        } catch (SecurityException e) {
            outcome.put("probe.write.property", "denied: " + e.getClass().getName());
        }
        try {
            context.getBundle(0).getHeaders();
            context.installBundle("file:/nonexistent/evil.jar");
            outcome.put("probe.install.bundle", "allowed");
        } catch (SecurityException e) {
            outcome.put("probe.install.bundle", "denied: " + e.getClass().getName());
        } catch (Exception e) {
            outcome.put("probe.install.bundle", "failed: " + e);
        }
        context.registerService(UsbEventListener.class, this, outcome);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the service
    }

    @Override
    public void onEvent(UsbEvent event) {
        // never receives anything interesting
    }
}
