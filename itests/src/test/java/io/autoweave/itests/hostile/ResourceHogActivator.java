package io.autoweave.itests.hostile;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * Plugins that abuse resources rather than permissions, one behaviour per bundle, chosen by the symbolic name
 * ({@code itest.hog.<behaviour>[.suffix]}): {@code burner} (a thread of its own in a busy loop), {@code alloc} (a
 * thread allocating as fast as it can), {@code bomb} (twelve sleeping threads), {@code hang} (a listener that never
 * returns and swallows interrupts), {@code slow} (a listener taking 300 ms per event), {@code retain} (a thread that
 * keeps 256 MB reachable, then allocates garbage like {@code alloc}), {@code polite} (a listener that does nothing). Every one registers a {@link UsbEventListener}. Its threads end when the bundle stops. No
 * lambdas or nested classes: the test packs exactly this class file.
 */
public class ResourceHogActivator implements BundleActivator, UsbEventListener, Runnable {

    private volatile boolean running = true;
    private volatile String behaviour = "";
    private volatile Object kept;
    private volatile long spun;
    private final java.util.List<byte[]> retained = new java.util.ArrayList<>();

    @Override
    public void start(BundleContext context) {
        behaviour = context.getBundle().getSymbolicName().substring("itest.hog.".length()).split("\\.")[0];
        int threads = behaviour.equals("burner") || behaviour.equals("alloc") || behaviour.equals("retain") ? 1
                : behaviour.equals("bomb") ? 12 : 0;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this, "hog-" + behaviour + "-" + i);
            t.setDaemon(true);
            t.start();
        }
        context.registerService(UsbEventListener.class, this, null);
    }

    @Override
    public void run() {
        long x = 0;
        while (running) {
            switch (behaviour) {
                case "burner":
                    for (int i = 0; i < 1_000_000; i++) {
                        x += i ^ (x >>> 3);
                    }
                    spun = x;
                    break;
                case "alloc":
                    kept = new byte[64 * 1024];
                    break;
                case "retain":
                    if (retained.size() < 4096) { // 4096 x 64 KB = 256 MB
                        retained.add(new byte[64 * 1024]);
                    } else {
                        kept = new byte[64 * 1024];
                    }
                    break;
                default:
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                    break;
            }
        }
    }

    @Override
    public void onEvent(UsbEvent event) {
        switch (behaviour) {
            case "hang":
                while (running) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        // swallowed: this listener does not want to return
                    }
                }
                break;
            case "slow":
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                break;
            default:
                break;
        }
    }

    @Override
    public void stop(BundleContext context) {
        running = false;
    }
}
