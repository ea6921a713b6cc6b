package io.autoweave.itests.probe;

import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.autoweave.api.device.UsbEventListener;

/**
 * One whiteboard listener that reports every delivery as {@code {bundle, serial}} into the {@code BlockingQueue}
 * service the test registered ({@link #QUEUE_FILTER}): the permission-cache test runs it once as a plugin and once as
 * a core witness.
 */
public class DeliveryProbeActivator implements BundleActivator {

    /** Service property of the queue the test registers. */
    public static final String QUEUE_FILTER = "(autoweave.itest=delivery-probe)";

    @Override
    public void start(BundleContext context) throws Exception {
        @SuppressWarnings("rawtypes")
        ServiceReference<BlockingQueue> ref = context.getServiceReferences(BlockingQueue.class, QUEUE_FILTER)
                .iterator().next();
        @SuppressWarnings("unchecked")
        BlockingQueue<Map<String, String>> queue = context.getService(ref);
        String bundle = context.getBundle().getSymbolicName();
        context.registerService(UsbEventListener.class,
                e -> queue.add(Map.of("bundle", bundle, "serial", String.valueOf(e.device().serial()))),
                new Hashtable<>());
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the listener
    }
}
