package io.autoweave.itests.burst;

import java.util.List;
import java.util.Set;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.EventLogAppender;

/**
 * Probe bundle (installed at a core location by {@link BurstMain}): appends a burst of events of several "devices",
 * interleaved, to the event log as the USB pipeline does, from one thread. Event k of device d has id
 * {@code burst-d-k} and monotonicNanos k, so order can be checked per device. Prints {@code BURST-PROGRESS total=N
 * d0=.. d1=..} every 20 ms: the events the log has <em>committed</em> (fsynced; the probe is the only writer, so the
 * first N appended are the first N seqs after the start) and {@code BURST-DONE} at the end. Parameters: system
 * properties {@code aw.burst.devices}, {@code aw.burst.perDevice}, {@code aw.burst.perMilli} (events appended per
 * millisecond, so a burst lasts long enough for a kill to land in it).
 */
public class BurstActivator implements BundleActivator {
    private volatile boolean stopped;

    @Override
    public void start(BundleContext context) {
        int devices = Integer.getInteger("aw.burst.devices", 8);
        int perDevice = Integer.getInteger("aw.burst.perDevice", 1000);
        int perMilli = Integer.getInteger("aw.burst.perMilli", 20);
        Thread t = new Thread(() -> run(context, devices, perDevice, perMilli), "itest-burst");
        t.setDaemon(true);
        t.start();
    }

    private void run(BundleContext context, int devices, int perDevice, int perMilli) {
        try {
            EventLogAppender appender = await(context, EventLogAppender.class);
            EventLog log = await(context, EventLog.class);
            long base = log.lastSeq();
            long total = (long) devices * perDevice;
            long start = System.nanoTime();
            Thread producer = new Thread(() -> {
                for (long n = 0; n < total && !stopped; n++) {
                    appender.append(event((int) (n % devices), n / devices));
                    if (n % perMilli == perMilli - 1) {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }, "itest-burst-producer");
            producer.start();
            while ((producer.isAlive() || log.lastSeq() - base < total) && !stopped) {
                Thread.sleep(20);
                progress(log.lastSeq() - base, devices, start);
            }
            progress(log.lastSeq() - base, devices, start);
            System.out.println("BURST-DONE");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Per device, how many of the first {@code committed} events (interleaved n % devices) it has. */
    private static void progress(long committed, int devices, long start) {
        StringBuilder line = new StringBuilder();
        for (int d = 0; d < devices; d++) {
            long n = committed / devices + (d < committed % devices ? 1 : 0);
            line.append(" d").append(d).append('=').append(n);
        }
        System.out.println("BURST-PROGRESS total=" + committed + " ms=" + (System.nanoTime() - start) / 1_000_000
                + line);
    }

    private <T> T await(BundleContext context, Class<T> type) throws InterruptedException {
        while (!stopped) {
            ServiceReference<T> ref = context.getServiceReference(type);
            if (ref != null) {
                return context.getService(ref);
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
