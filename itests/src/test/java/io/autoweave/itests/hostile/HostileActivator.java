package io.autoweave.itests.hostile;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * The hostile plugin corpus: one class, one behaviour per bundle, chosen by the last segment of the bundle's
 * symbolic name ({@code itest.hostile.<behaviour>[.suffix]} — reading the own name needs no permission, unlike a
 * header). The outcome ("allowed" or "denied: EXCEPTION") is published as a property of a {@link UsbEventListener}
 * registration, the one service every plugin may register. No lambdas or nested classes: the test packs exactly
 * this class file.
 */
public class HostileActivator implements BundleActivator, UsbEventListener, Runnable {

    /** Where the write-outside behaviour tries to write; the test checks it never appears. */
    public static final String FORBIDDEN_FILE = "/tmp/autoweave-hostile-was-here";
    /** The property the change-property behaviour tries to set. */
    public static final String FORBIDDEN_PROPERTY = "autoweave.itest.hostile";
    /** Lines the console-flood behaviour writes to System.out. */
    public static final int FLOOD_LINES = 1_000_000;

    @Override
    public void start(BundleContext context) {
        String bsn = context.getBundle().getSymbolicName();
        String behaviour = bsn.substring("itest.hostile.".length()).split("\\.")[0];
        Hashtable<String, Object> outcome = new Hashtable<>();
        String result;
        try {
            result = behave(behaviour, context, outcome);
        } catch (SecurityException e) {
            result = "denied: " + e.getClass().getName();
        } catch (Throwable e) {
            result = "failed: " + e;
        }
        if (result == null) {
            return; // reported later by its own thread
        }
        outcome.put("hostile.behaviour", behaviour);
        outcome.put("hostile.outcome", result);
        try {
            context.registerService(UsbEventListener.class, this, outcome);
        } catch (RuntimeException e) {
            // blocked while we were busy: nothing to report to
        }
    }

    private String behave(String behaviour, BundleContext context, Hashtable<String, Object> props) throws Exception {
        switch (behaviour) {
            case "passwd":
                Files.readAllBytes(Path.of("/etc/passwd"));
                return "allowed";
            case "traversal":
                Files.readAllBytes(new File(context.getDataFile(""), "../../../../../../../../../../etc/hostname")
                        .toPath());
                return "allowed";
            case "write":
                Files.writeString(Path.of(FORBIDDEN_FILE), "x");
                return "allowed";
            case "exec":
                Runtime.getRuntime().exec(new String[] { "/bin/true" }).waitFor();
                return "allowed";
            case "exit":
                System.exit(3);
                return "allowed";
            case "connect":
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("10.255.255.1", 80), 200);
                }
                return "allowed";
            case "reflection":
                context.getClass().getMethod("getBundle").setAccessible(true);
                return "allowed";
            case "native":
                System.loadLibrary("autoweave_hostile");
                return "allowed";
            case "property":
                System.setProperty(FORBIDDEN_PROPERTY, "written");
                return "allowed";
            case "threads":
                for (int i = 0; i < 1000; i++) {
                    Thread t = new Thread(this, "hostile-" + i);
                    t.setDaemon(true);
                    t.start();
                }
                return "allowed";
            case "usb":
                props.put(UsbEventListener.FILTER, "(vendor_id=1d6b)");
                return "registered";
            case "service":
                return context.getServiceReference("org.osgi.service.cm.ConfigurationAdmin") == null
                        ? "denied: invisible" : "allowed";
            case "stop":
                for (Bundle b : context.getBundles()) {
                    if ("io.autoweave.api".equals(b.getSymbolicName())) {
                        b.stop();
                    }
                }
                return "allowed";
            case "install":
                java.util.jar.Manifest mf = new java.util.jar.Manifest();
                mf.getMainAttributes().putValue("Manifest-Version", "1.0");
                mf.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
                mf.getMainAttributes().putValue("Bundle-SymbolicName", "evil");
                java.io.ByteArrayOutputStream jar = new java.io.ByteArrayOutputStream();
                new java.util.jar.JarOutputStream(jar, mf).close();
                context.installBundle("inputstream:evil.jar", new java.io.ByteArrayInputStream(jar.toByteArray()));
                return "allowed";
            case "interrupt":
                // the thread group it was started on (the runtime's), whole and thread by thread: the behaviour
                // that took a runtime down, and needs no permission under the JDK's own SecurityManager rules
                ThreadGroup group = Thread.currentThread().getThreadGroup();
                int interrupted = 0;
                int refused = 0;
                try {
                    group.interrupt();
                    interrupted += group.activeCount();
                } catch (SecurityException e) {
                    refused++;
                }
                Thread[] all = new Thread[group.activeCount() + 16];
                int n = 0;
                try {
                    n = group.enumerate(all, true);
                } catch (SecurityException e) {
                    refused++;
                }
                for (int i = 0; i < n; i++) {
                    if (all[i] == Thread.currentThread()) {
                        continue;
                    }
                    try {
                        all[i].interrupt();
                        interrupted++;
                    } catch (SecurityException e) {
                        refused++;
                    }
                }
                Thread.interrupted(); // its own flag, if the group interrupt went through
                return "interrupted " + interrupted + ", refused " + refused;
            case "hang":
                // a start() that never returns and swallows interrupts
                for (;;) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        // ignored on purpose
                    }
                }
            case "flood":
                // on a thread of its own (start() must return in time); run() registers the outcome
                this.context = context;
                this.flooding = true;
                new Thread(this, "hostile-flood").start();
                return null;
            case "noisy":
                String r = "";
                try {
                    Files.readAllBytes(Path.of("/etc/passwd"));
                } catch (SecurityException e) {
                    r += "passwd denied;";
                }
                try {
                    System.getProperty("user.home");
                } catch (SecurityException e) {
                    r += "user.home denied;";
                }
                try {
                    Files.readAllBytes(Path.of("/etc/hostname"));
                } catch (SecurityException e) {
                    r += "hostname denied;";
                }
                return r;
            default:
                return "unknown behaviour " + behaviour;
        }
    }

    private volatile BundleContext context;
    private volatile boolean flooding;

    @Override
    public void run() {
        if (flooding) {
            long t0 = System.nanoTime();
            for (int i = 0; i < FLOOD_LINES; i++) {
                System.out.println("flood line " + i);
            }
            Hashtable<String, Object> outcome = new Hashtable<>();
            outcome.put("hostile.behaviour", "flood");
            outcome.put("hostile.outcome", "printed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            context.registerService(UsbEventListener.class, this, outcome);
            return;
        }
        try {
            Thread.sleep(60_000);
        } catch (InterruptedException e) {
            // blocked: the monitor interrupts the plugin's threads
        }
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
