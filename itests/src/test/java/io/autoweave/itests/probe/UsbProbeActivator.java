package io.autoweave.itests.probe;

import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.BlockingQueue;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.api.device.UsbTopics;

/**
 * Runs inside the framework for the USB integration tests: two whiteboard listeners (one filtered to vendor
 * 046d) and an EventAdmin handler for {@code autoweave/usb/*}. What they receive goes, as plain JDK maps, into the
 * {@code BlockingQueue} service the test registered (JDK types are the only ones both sides share).
 */
public class UsbProbeActivator implements BundleActivator {

    /** Service property of the queue the test registers. */
    public static final String QUEUE_FILTER = "(autoweave.itest=usb-probe)";

    @Override
    public void start(BundleContext context) throws Exception {
        @SuppressWarnings("rawtypes")
        ServiceReference<BlockingQueue> ref = context.getServiceReferences(BlockingQueue.class, QUEUE_FILTER)
                .iterator().next();
        @SuppressWarnings("unchecked")
        BlockingQueue<Map<String, Object>> queue = context.getService(ref);

        context.registerService(UsbEventListener.class, e -> queue.add(fromListener("listener:all", e)),
                props("itest.name", "all"));
        Dictionary<String, Object> filtered = props("itest.name", "filtered");
        filtered.put(UsbEventListener.FILTER, "(vendor_id=046d)");
        context.registerService(UsbEventListener.class, e -> queue.add(fromListener("listener:046d", e)), filtered);

        EventHandler handler = event -> {
            UsbEvent e = (UsbEvent) event.getProperty(UsbTopics.EVENT);
            Map<String, Object> m = fromListener("eventadmin", e);
            m.put("topic", event.getTopic());
            m.put("vendor_id", event.getProperty(UsbTopics.VENDOR_ID));
            m.put("product_id", event.getProperty(UsbTopics.PRODUCT_ID));
            m.put("device_class", event.getProperty(UsbTopics.DEVICE_CLASS));
            m.put("signature", event.getProperty(UsbTopics.SIGNATURE));
            queue.add(m);
        };
        context.registerService(EventHandler.class, handler, props(EventConstants.EVENT_TOPIC, UsbTopics.PREFIX + "*"));
    }

    private static Map<String, Object> fromListener(String kind, UsbEvent e) {
        Map<String, Object> m = new java.util.HashMap<>();
        m.put("received_nanos", System.nanoTime());
        m.put("kind", kind);
        m.put("thread", Thread.currentThread().getName());
        m.put("event_id", e.eventId());
        m.put("action", e.action().wireName());
        m.put("vendor_id", e.device().vendorHex());
        m.put("serial", String.valueOf(e.device().serial()));
        m.put("monotonic_nanos", e.monotonicNanos());
        m.put("sources", new ArrayList<>(e.sources()));
        return m;
    }

    private static Dictionary<String, Object> props(String key, Object value) {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put(key, value);
        return d;
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the services
    }
}
