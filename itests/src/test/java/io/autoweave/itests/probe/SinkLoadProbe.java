package io.autoweave.itests.probe;

import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.source.DeviceReport;
import io.autoweave.api.source.DeviceReportSink;
import io.autoweave.api.stream.StreamConsumer;

/**
 * Probe bundle (core location) for the sink overload test: a load source and a stream consumer. It registers,
 * with {@code autoweave.itest=sink-probe}, a {@link LongUnaryOperator} ({@code applyAsLong(n)} reports the attach
 * of n new distinct devices to the pipeline's {@link DeviceReportSink} as fast as it takes them, returns n), a
 * {@link LongSupplier} (stream entries consumed so far) and a {@link StreamConsumer} (so the Redis consumer-group
 * bridge reads). JDK types, so the test outside the framework can call them.
 */
public class SinkLoadProbe implements BundleActivator, LongUnaryOperator, LongSupplier, StreamConsumer {
    private final LongAdder consumed = new LongAdder();
    private DeviceReportSink sink;
    private long next;

    @Override
    public void start(BundleContext context) {
        ServiceReference<DeviceReportSink> ref = context.getServiceReference(DeviceReportSink.class);
        if (ref == null) {
            throw new IllegalStateException("no DeviceReportSink: the USB pipeline is not running");
        }
        sink = context.getService(ref);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("autoweave.itest", "sink-probe");
        context.registerService(new String[] { LongUnaryOperator.class.getName(), LongSupplier.class.getName(),
                StreamConsumer.class.getName() }, this, props);
    }

    @Override
    public synchronized long applyAsLong(long n) {
        for (long i = 0; i < n; i++) {
            long d = next++;
            UsbDevice device = new UsbDevice(0x1d6b, 0x0104, "OVL-" + d, "AutoWeave", "Overload device", 0, 0, 0,
                    List.of(3), 0x0100, 7, (int) (d % 120) + 1, "7-" + d, null);
            sink.report(DeviceReport.now("simulated", UsbAction.ATTACH, device));
        }
        return n;
    }

    @Override
    public long getAsLong() {
        return consumed.sum();
    }

    @Override
    public void consume(String entryId, UsbEvent event) {
        consumed.increment();
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}
