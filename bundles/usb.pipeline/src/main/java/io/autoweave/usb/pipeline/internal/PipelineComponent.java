package io.autoweave.usb.pipeline.internal;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.LongAdder;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
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
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.ConnectedDevice;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.api.security.UsbPermission;
import io.autoweave.api.device.UsbTopics;
import io.autoweave.api.plugin.PluginWorkers;
import io.autoweave.api.plugin.WorkerFigures;
import io.autoweave.api.source.DeviceReport;
import io.autoweave.api.source.DeviceReportSink;

/**
 * The USB pipeline as a service: sources report to it ({@link DeviceReportSink}), operators and bundles read what
 * is connected ({@link io.autoweave.api.device.DeviceRegistry}), and every event goes, at once, to EventAdmin
 * ({@link UsbTopics}) and to {@link UsbEventListener} whiteboard services (through {@link ListenerDispatcher}),
 * and, once its merge window closed, to {@code DATA/events.jsonl} ({@link EventJournal}). The logic lives in
 * {@link Pipeline}; this class only wires it.
 *
 * <p>Immediate: the journal, the instance id and a configuration error must show at start, not at first use (a
 * delayed component would also keep its services registered after a failed activation).
 *
 * <p>A configuration change restarts the component, and with it the registry: the sources' next snapshot
 * repopulates it.
 */
@Component(service = { DeviceReportSink.class, io.autoweave.api.device.DeviceRegistry.class, PluginWorkers.class },
        immediate = true,
        configurationPid = PipelineComponent.PID,
        property = { "osgi.command.scope=aw", "osgi.command.function=pipeline" })
@Designate(ocd = PipelineConfiguration.class)
public final class PipelineComponent implements DeviceReportSink, io.autoweave.api.device.DeviceRegistry,
        PluginWorkers {

    static final String PID = "io.autoweave.usb.pipeline";
    static final String DATA_PROPERTY = "autoweave.data";

    private static final Logger LOG = LoggerFactory.getLogger(PipelineComponent.class);

    private final ScheduledThreadPoolExecutor timers = daemonScheduler("autoweave-usb-pipeline");
    private final ScheduledThreadPoolExecutor journalThread = daemonScheduler("autoweave-usb-journal");
    final Pipeline pipeline;
    final EventJournal journal;
    final ListenerDispatcher listeners = new ListenerDispatcher(ListenerDispatcher.QUEUE_CAPACITY);
    final LongAdder posted = new LongAdder();
    final LongAdder rejected = new LongAdder();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin eventAdmin;

    @Activate
    public PipelineComponent(BundleContext context, PipelineConfiguration config) {
        this(config, dataDir(context));
    }

    PipelineComponent(PipelineConfiguration config, Path dataDir) {
        PipelineSettings settings;
        try {
            settings = PipelineSettings.from(config,
                    () -> InstanceId.loadOrCreate(dataDir.resolve(InstanceId.FILE_NAME)));
        } catch (IllegalArgumentException e) {
            String message = "invalid configuration " + PID + ": " + e.getMessage();
            LOG.error("USB pipeline not started: {}", message);
            shutdownThreads();
            throw new IllegalArgumentException(message, e);
        }
        try {
            journal = new EventJournal(dataDir.resolve(EventJournal.FILE_NAME), settings.mergeWindowNanos(),
                    System::nanoTime, TaskScheduler.of(journalThread));
        } catch (RuntimeException e) {
            LOG.error("USB pipeline not started: {}", e.getMessage());
            shutdownThreads();
            throw e;
        }
        pipeline = new Pipeline(settings, System::nanoTime, System::currentTimeMillis, TaskScheduler.of(timers),
                EventIds.system());
        pipeline.addListener(listeners);
        pipeline.addListener(this::post);
        pipeline.addListener(journal);
        pipeline.addUpdateListener(journal::update);
        LOG.info("USB pipeline started: instance {}, merge window {} ms, debounce window {} ms, {} rule(s), default {}",
                settings.instanceId(), config.merge_window_ms(), config.debounce_window_ms(),
                settings.rules().rules().size(), settings.rules().defaultTarget().word());
    }

    @Deactivate
    void deactivate() {
        pipeline.close(); // settles open debounce windows: consumers end in the final states
        timers.shutdownNow();
        journal.close(); // writes the events still inside their merge window
        journalThread.shutdownNow();
        listeners.close();
    }

    // --- DeviceReportSink

    @Override
    public void report(DeviceReport report) {
        if (report == null) {
            rejected.increment();
            return;
        }
        try {
            pipeline.report(new SourceReport(report.source(), report.action(), report.device()));
        } catch (RuntimeException e) {
            rejected.increment();
            LOG.warn("USB report from {} rejected: {}", report.source(), e.toString());
        }
    }

    @Override
    public void snapshot(String source, Collection<UsbDevice> present) {
        if (source == null || present == null) {
            rejected.increment();
            return;
        }
        try {
            int repaired = pipeline.snapshot(source, present);
            if (repaired > 0) {
                LOG.info("USB snapshot of {} repaired {} missed attach/detach report(s)", source, repaired);
            }
        } catch (RuntimeException e) {
            rejected.increment();
            LOG.warn("USB snapshot from {} rejected: {}", source, e.toString());
        }
    }

    // --- DeviceRegistry view

    @Override
    public List<ConnectedDevice> connected() {
        return pipeline.registry().connected().stream().map(PipelineComponent::view).toList();
    }

    @Override
    public List<ConnectedDevice> find(String signature) {
        if (signature == null) {
            return List.of();
        }
        return pipeline.registry().withSignature(signature.trim().toLowerCase(Locale.ROOT)).stream()
                .map(PipelineComponent::view).toList();
    }

    static ConnectedDevice view(DeviceRegistry.Entry e) {
        return new ConnectedDevice(e.enriched(), e.sinceMillis(), e.attachEventId(), e.sources(),
                e.target() == RuleTarget.ALLOW, e.flapCount());
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

    // --- Gogo

    @Descriptor("counters of the USB pipeline: reports, merging, debouncing, rules, listeners, journal")
    public Map<String, Long> pipeline() {
        Map<String, Long> m = new LinkedHashMap<>(pipeline.metrics());
        m.put("reports.rejected", rejected.sum());
        m.put("eventadmin.posted", posted.sum());
        m.putAll(listeners.metrics());
        m.put("journal.written", journal.written.sum());
        m.put("journal.held", (long) journal.held());
        m.put("journal.failures", journal.failures.sum());
        return m;
    }

    // --- whiteboard

    @Reference(service = UsbEventListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addListener(UsbEventListener listener, ServiceReference<UsbEventListener> ref) {
        Bundle owner = ref.getBundle();
        if (owner == null) {
            return; // unregistered meanwhile
        }
        Object filter = ref.getProperty(UsbEventListener.FILTER);
        // a plugin sees only devices its UsbPermission covers (core bundles hold AllPermission)
        listeners.add(ref, owner.getBundleId(), owner.getSymbolicName() + "-" + owner.getBundleId(), listener,
                filter == null ? null : filter.toString(), device -> UsbPermission.canMonitor(owner::hasPermission, device));
    }

    void updatedListener(UsbEventListener listener, ServiceReference<UsbEventListener> ref) {
        addListener(listener, ref);
    }

    void removeListener(ServiceReference<UsbEventListener> ref) {
        listeners.remove(ref);
    }

    private void post(UsbEvent event) {
        EventAdmin admin = eventAdmin;
        if (admin != null) {
            admin.postEvent(new Event(UsbTopics.topic(event.action()), EventProperties.of(event)));
            posted.increment();
        }
    }

    private void shutdownThreads() {
        timers.shutdownNow();
        journalThread.shutdownNow();
    }

    private static Path dataDir(BundleContext context) {
        String data = context.getProperty(DATA_PROPERTY);
        if (data == null || data.isBlank()) {
            throw new IllegalStateException("framework property " + DATA_PROPERTY
                    + " is not set (start the runtime with its launcher)");
        }
        return Path.of(data);
    }

    private static ScheduledThreadPoolExecutor daemonScheduler(String name) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
