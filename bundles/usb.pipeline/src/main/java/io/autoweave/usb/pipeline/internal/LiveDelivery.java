package io.autoweave.usb.pipeline.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.api.device.UsbTopics;
import io.autoweave.api.log.EventLog;
import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.api.plugin.PluginWorkers;
import io.autoweave.api.plugin.WorkerFigures;
import io.autoweave.api.security.UsbPermission;
import io.autoweave.usb.pipeline.internal.support.LatencyHistogram;
import io.autoweave.usb.pipeline.internal.dispatch.LiveDispatch;
import io.autoweave.usb.pipeline.internal.dispatch.ListenerDispatcher;
import io.autoweave.usb.pipeline.internal.dispatch.EventProperties;

/**
 * Delivery inside the runtime: one live reader of the event log hands each committed event to the
 * {@link UsbEventListener} whiteboard services, through a {@link ListenerDispatcher} (a bounded queue and worker per
 * plugin, and the plugin's {@link UsbPermission} checked per device), and posts it on EventAdmin ({@link UsbTopics}).
 * The listener workers are the {@link PluginWorkers} the resource enforcer throttles, interrupts and recycles; their
 * drops and the report-to-listener latency go to {@code /metrics}.
 *
 * <p>One reader thread for both consumers, as before the pipeline's roles were split: one thread fewer to wake at each
 * commit on a 2-core machine. (Quick runs of benchmark scenario 2 could not tell one reader from two within their
 * noise: p99 at 10,000 events/s ranged 84 to 430 ms either way.)
 */
@Component(service = { PluginWorkers.class, MetricsSource.class, LiveDelivery.class }, immediate = true)
public final class LiveDelivery implements PluginWorkers, MetricsSource {
    final ListenerDispatcher listeners = new ListenerDispatcher(ListenerDispatcher.QUEUE_CAPACITY);
    final LiveDispatch dispatch;
    final LongAdder posted = new LongAdder();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin eventAdmin;
    /** Listener services by reference: bundle id and readable owner, for per-listener drop figures. */
    private final Map<Object, Map.Entry<Long, String>> owners = new ConcurrentHashMap<>();

    @Activate
    public LiveDelivery(@Reference EventLog log, @Reference PipelineComponent pipeline) {
        dispatch = new LiveDispatch(log, pipeline.liveFrom(), List.of(listeners, this::post), System::nanoTime,
                "autoweave-usb-dispatch");
    }

    @Deactivate
    void deactivate() {
        dispatch.close(2000); // listeners and EventAdmin get what was committed
        listeners.close();
    }

    @Reference(service = UsbEventListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addListener(UsbEventListener listener, ServiceReference<UsbEventListener> ref) {
        Bundle owner = ref.getBundle();
        if (owner == null) {
            return; // unregistered meanwhile
        }
        Object filter = ref.getProperty(UsbEventListener.FILTER);
        // a plugin sees only devices its UsbPermission covers (core bundles hold AllPermission)
        String name = owner.getSymbolicName() + "-" + owner.getBundleId();
        owners.put(ref, Map.entry(owner.getBundleId(), name));
        listeners.add(ref, owner.getBundleId(), name, listener, filter == null ? null : filter.toString(),
                device -> UsbPermission.canMonitor(owner::hasPermission, device));
    }

    void updatedListener(UsbEventListener listener, ServiceReference<UsbEventListener> ref) {
        addListener(listener, ref);
    }

    void removeListener(ServiceReference<UsbEventListener> ref) {
        owners.remove(ref);
        listeners.remove(ref);
    }

    // --- PluginWorkers: the listener workers, for the resource enforcer

    @Override
    public List<WorkerFigures> figures() {
        return listeners.figures();
    }

    @Override
    public int shed(long bundleId, long millis) {
        return listeners.shed(bundleId, millis);
    }

    @Override
    public boolean interrupt(long bundleId) {
        return listeners.interrupt(bundleId);
    }

    @Override
    public boolean recycle(long bundleId, boolean abandon, String reason) {
        return listeners.recycle(bundleId, abandon, reason);
    }

    private void post(UsbEvent event) {
        EventAdmin admin = eventAdmin;
        if (admin != null) {
            admin.postEvent(new Event(UsbTopics.topic(event.action()), EventProperties.of(event)));
            posted.increment();
        }
    }

    /** The counters {@code aw:pipeline} shows for this part. */
    Map<String, Long> counters() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("eventadmin.posted", posted.sum());
        m.putAll(listeners.metrics());
        m.put("dispatch.events", dispatch.dispatched.sum());
        m.put("dispatch.failures", dispatch.failures.sum());
        return m;
    }

    @Override
    public void collect(MetricsCollector out) {
        out.counter("autoweave_usb_listener_dropped_total",
                "Events dropped for all UsbEventListener bundles (their queue was full)", listeners.droppedTotal.sum());
        owners.values().stream().distinct().forEach(o -> out.counter("autoweave_usb_listener_bundle_dropped_total",
                "Events dropped for the UsbEventListener services of one bundle (its queue was full)",
                listeners.dropped(o.getKey()), "bundle", o.getValue()));
        LatencyHistogram h = dispatch.latency();
        out.histogram("autoweave_usb_pipeline_latency_seconds",
                "First source report to committed in the event log and dispatched to listeners", LatencyHistogram.BOUNDS,
                h.cumulative(), h.sumSeconds(), h.count());
    }
}
