package io.autoweave.itests.burst;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;

/**
 * Probe bundle (installed at a core location by {@link BurstMain}): finds the Redis bundle's {@link UsbEventSink}
 * and hands it a burst of events of several "devices", interleaved, in batches of {@value #BATCH} from one thread,
 * as the USB pipeline's sink dispatcher does. Event k of device d has id {@code burst-d-k} and monotonicNanos k, so
 * order can be checked per device. Prints {@code BURST-PROGRESS total=N d0=.. d1=..} (events whose batch's
 * {@code deliver} returned, i.e. journaled) every 20 ms and {@code BURST-DONE} at the end. Parameters: system
 * properties {@code aw.burst.devices}, {@code aw.burst.perDevice}.
 */
public class BurstActivator implements BundleActivator {
    static final int BATCH = 64;
    private volatile boolean stopped;

    @Override
    public void start(BundleContext context) {
        int devices = Integer.getInteger("aw.burst.devices", 8);
        int perDevice = Integer.getInteger("aw.burst.perDevice", 1000);
        Thread t = new Thread(() -> run(context, devices, perDevice), "itest-burst");
        t.setDaemon(true);
        t.start();
    }

    private void run(BundleContext context, int devices, int perDevice) {
        try {
            UsbEventSink sink = awaitSink(context);
            AtomicLongArray accepted = new AtomicLongArray(devices);
            long start = System.nanoTime();
            Thread producer = new Thread(() -> {
                List<UsbEvent> batch = new ArrayList<>(BATCH);
                long total = (long) devices * perDevice;
                for (long n = 0; n < total && !stopped; n++) {
                    batch.add(event((int) (n % devices), n / devices));
                    if (batch.size() == BATCH || n == total - 1) {
                        try {
                            sink.deliver(new UsbEventSink.Batch(null, batch));
                        } catch (Exception e) {
                            System.out.println("BURST-FAILED " + e);
                            return;
                        }
                        for (UsbEvent e : batch) {
                            accepted.incrementAndGet(Integer.parseInt(e.device().serial().substring("BURST-".length())));
                        }
                        batch.clear();
                    }
                }
            }, "itest-burst");
            producer.start();
            while (producer.isAlive() && !stopped) {
                Thread.sleep(20);
                progress(accepted, start);
            }
            progress(accepted, start);
            System.out.println("BURST-DONE");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void progress(AtomicLongArray accepted, long start) {
        StringBuilder line = new StringBuilder();
        long total = 0;
        for (int d = 0; d < accepted.length(); d++) {
            long n = accepted.get(d);
            total += n;
            line.append(" d").append(d).append('=').append(n);
        }
        System.out.println("BURST-PROGRESS total=" + total + " ms=" + (System.nanoTime() - start) / 1_000_000 + line);
    }

    private UsbEventSink awaitSink(BundleContext context) throws InterruptedException {
        while (!stopped) {
            try {
                for (ServiceReference<UsbEventSink> ref : context.getServiceReferences(UsbEventSink.class, null)) {
                    if ("io.autoweave.redis".equals(ref.getBundle().getSymbolicName())) {
                        return context.getService(ref);
                    }
                }
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
            Thread.sleep(50);
        }
        throw new InterruptedException("stopped");
    }

    static UsbEvent event(int device, long k) {
        UsbDevice d = new UsbDevice(0x1d6b, 0x0104, "BURST-" + device, "AutoWeave", "Burst device", 0, 0, 0,
                List.of(3), 0x0100, 1, 10 + device, "1-" + device, "burstsig" + device);
        return new UsbEvent("burst-" + device + "-" + k, "itest", k % 2 == 0 ? UsbAction.ATTACH : UsbAction.DETACH,
                System.currentTimeMillis(), k, d, Set.of("simulated"), 0);
    }

    @Override
    public void stop(BundleContext context) {
        stopped = true;
    }
}
