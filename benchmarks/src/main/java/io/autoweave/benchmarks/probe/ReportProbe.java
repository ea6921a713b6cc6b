package io.autoweave.benchmarks.probe;

import java.util.Hashtable;
import java.util.List;
import java.util.function.LongUnaryOperator;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.source.DeviceReport;
import io.autoweave.api.source.DeviceReportSink;

/**
 * Probe bundle (installed at a core location): a load source reporting to the pipeline's {@link DeviceReportSink}
 * exactly as a USB source does. It registers a {@link LongUnaryOperator} (a JDK type, so the harness outside the
 * framework can call it) with {@code bench=report}: {@code applyAsLong(n)} reports action {@code n & 1} (0 attach,
 * 1 detach) of device {@code n >>> 1} and returns the {@link System#nanoTime()} taken just before the call.
 * Device d has serial {@code BENCH-d} on port {@code 9-d}, so every device is distinct for merge and debounce.
 */
public final class ReportProbe implements BundleActivator, LongUnaryOperator {
    private volatile DeviceReportSink sink;

    @Override
    public void start(BundleContext context) {
        ServiceReference<DeviceReportSink> ref = context.getServiceReference(DeviceReportSink.class);
        if (ref == null) {
            throw new IllegalStateException("no DeviceReportSink service: the USB pipeline is not running");
        }
        sink = context.getService(ref);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("bench", "report");
        context.registerService(LongUnaryOperator.class, this, props);
    }

    @Override
    public long applyAsLong(long n) {
        long device = n >>> 1;
        UsbAction action = (n & 1) == 0 ? UsbAction.ATTACH : UsbAction.DETACH;
        UsbDevice d = new UsbDevice(0x1d6b, 0x0104, "BENCH-" + device, "AutoWeave", "Bench device", 0, 0, 0,
                List.of(3), 0x0100, 9, (int) (device & 0x7f) + 1, "9-" + device, null);
        long now = System.nanoTime();
        sink.report(new DeviceReport("simulated", action, d, System.currentTimeMillis(), now));
        return now;
    }

    @Override
    public void stop(BundleContext context) {
        sink = null;
    }
}
