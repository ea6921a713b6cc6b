package io.autoweave.usb.pipeline.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.atomic.LongAdder;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.data.DataDirectory;
import io.autoweave.api.device.ConnectedDevice;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.api.device.UsbEventSink;
import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.EventLogAppender;
import io.autoweave.api.log.LogRecord;
import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.api.source.DeviceReport;
import io.autoweave.api.source.DeviceReportSink;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.usb.pipeline.internal.support.TaskScheduler;
import io.autoweave.usb.pipeline.internal.rules.RuleTarget;
import io.autoweave.usb.pipeline.internal.registry.DeviceRegistry;
import io.autoweave.usb.pipeline.internal.merge.SourceReport;
import io.autoweave.usb.pipeline.internal.identity.InstanceId;
import io.autoweave.usb.pipeline.internal.identity.EventIds;

/**
 * The USB pipeline as a service: sources report to it ({@link DeviceReportSink}), operators and bundles read what
 * is connected ({@link io.autoweave.api.device.DeviceRegistry}), and every decided event goes to one place: the
 * durable event log ({@link EventLogAppender}, through {@link LogFeed}, late sources as update records). Everything
 * else reads the log, each reader its own component or cursor: {@link LiveDelivery} hands committed events to
 * the {@link io.autoweave.api.device.UsbEventListener} whiteboard (the plugin side) and posts them on EventAdmin, and {@link SinkFeeds} gives each {@link UsbEventSink} a durable cursor. The logic lives in
 * {@link Pipeline}; this class only wires it, and reports its figures to {@code /metrics} ({@link MetricsSource});
 * {@link PipelineCommands} shows them in the shell.
 *
 * <p>Immediate: the instance id and a configuration error must show at start, not at first use (a
 * delayed component would also keep its services registered after a failed activation).
 *
 * <p>A configuration change is applied in place ({@link #modified}): the registry, open windows and counters stay.
 */
@Component(service = { DeviceReportSink.class, io.autoweave.api.device.DeviceRegistry.class, MetricsSource.class,
        PipelineComponent.class },
        immediate = true,
        configurationPid = PipelineComponent.PID)
@Designate(ocd = PipelineConfiguration.class)
public final class PipelineComponent implements DeviceReportSink, io.autoweave.api.device.DeviceRegistry,
        MetricsSource {

    static final String PID = "io.autoweave.usb.pipeline";

    private static final Logger LOG = LoggerFactory.getLogger(PipelineComponent.class);

    private final ScheduledThreadPoolExecutor timers = daemonScheduler("autoweave-usb-pipeline");
    final Pipeline pipeline;
    final LogFeed feed;
    final SinkFeeds sinks;
    final String instanceId;
    /** The log's last seq before this lifetime's first event: where the live readers start. */
    private final long liveFrom;
    final LongAdder rejected = new LongAdder();
    final LongAdder configChanges = new LongAdder();
    /** Where the check takes the instance id when the configuration names none: the stored one, then the running. */
    private volatile Supplier<String> instanceIdSource;
    private final LastGoodConfig<PipelineConfiguration, PipelineSettings> lastGood = new LastGoodConfig<>(PID,
            PipelineConfiguration.class, c -> PipelineSettings.from(c, instanceIdSource));
    /** Events delivered, by "action|first source". */
    private final Map<String, LongAdder> eventsByActionAndSource = new ConcurrentHashMap<>();

    @Activate
    public PipelineComponent(BundleContext context, PipelineConfiguration config, Map<String, Object> properties,
            @Reference EventLog log, @Reference EventLogAppender appender) {
        this(context, config, properties, dataDir(context), log, appender);
    }

    public PipelineComponent(PipelineConfiguration config, Path dataDir, EventLog log, EventLogAppender appender) {
        this(null, config, Map.of(), dataDir, log, appender);
    }

    /**
     * @param log the event log the dispatch to listeners and EventAdmin reads
     * @param appender where every decided event goes (the pipeline's one output)
     */
    private PipelineComponent(BundleContext context, PipelineConfiguration config, Map<String, ?> properties,
            Path dataDir, EventLog log, EventLogAppender appender) {
        instanceIdSource = () -> InstanceId.loadOrCreate(dataDir.resolve(InstanceId.FILE_NAME));
        // a configuration that does not check out at start: the pipeline runs on the defaults and says what to fix
        PipelineSettings settings = lastGood.start(context, config, properties);
        instanceId = settings.instanceId();
        instanceIdSource = () -> instanceId;
        feed = new LogFeed(appender, 4 * settings.mergeWindowNanos() + settings.debounceWindowNanos(),
                System::nanoTime);
        pipeline = new Pipeline(settings, System::nanoTime, System::currentTimeMillis, TaskScheduler.of(timers),
                EventIds.system());
        pipeline.addListener(this::count);
        pipeline.addListener(feed::decided);
        pipeline.addUpdateListener(feed::update);
        pipeline.addReconcileListener(feed::reconciled);
        int restored = pipeline.restore(restorable(log), settings.reconcileGraceNanos());
        if (restored > 0) {
            LOG.info("USB pipeline: {} device(s) connected when the runtime last ran; each is confirmed by the first "
                    + "source report or full snapshot, or detached as reconciled after {} ms", restored,
                    TimeUnit.NANOSECONDS.toMillis(settings.reconcileGraceNanos()));
        }
        liveFrom = log.lastSeq();
        sinks = new SinkFeeds(log, settings.sinkBatchSize(), instanceId);
        LOG.info("USB pipeline started: instance {}, merge window {} ms, debounce window {} ms, {} rule(s), default {}",
                settings.instanceId(), TimeUnit.NANOSECONDS.toMillis(settings.mergeWindowNanos()),
                TimeUnit.NANOSECONDS.toMillis(settings.debounceWindowNanos()), settings.rules().rules().size(),
                settings.rules().defaultTarget().word());
    }

    /**
     * The devices the event log says were connected when the previous process lifetime stopped (or crashed): their
     * attach records, last known there at the log's last commit. Only allowed events are logged, so each was allowed.
     */
    static List<Pipeline.Restored> restorable(EventLog log) {
        long lastAlive = log.lastAliveMillis();
        List<Pipeline.Restored> restored = new ArrayList<>();
        for (LogRecord r : log.connected()) {
            UsbEvent attach = r.event();
            if (attach == null) {
                continue;
            }
            restored.add(new Pipeline.Restored(attach.device(), RuleTarget.ALLOW, attach.sources(), attach.eventId(),
                    attach.timestampMillis(), lastAlive > 0 ? lastAlive : r.appendMillis()));
        }
        return restored;
    }

    /**
     * A configuration change while running is applied in place ({@link Pipeline#reconfigure}): what is connected,
     * open windows and the counters stay, so a change of rules or windows never makes connected devices attach
     * again. A change that does not check out is refused and logged with what to fix; the running configuration
     * stays (the same rule as policy reloads). The instance id cannot change while running: that takes a restart.
     */
    @Modified
    void modified(PipelineConfiguration config, Map<String, Object> properties) {
        lastGood.modified(config, properties).ifPresent(this::apply);
    }

    /**
     * The log's last seq when this pipeline was created: live readers ({@link LiveDelivery}) dispatch what comes after it, so an event the pipeline decided before they were
     * activated still reaches them.
     */
    long liveFrom() {
        return liveFrom;
    }

    private void apply(PipelineSettings settings) {
        if (!settings.instanceId().equals(instanceId)) {
            LOG.warn("USB pipeline: instance_id {} takes effect at the next start; running as {}",
                    settings.instanceId(), instanceId);
        }
        pipeline.reconfigure(settings);
        feed.holdNanos(4 * settings.mergeWindowNanos() + settings.debounceWindowNanos());
        sinks.batchSize(settings.sinkBatchSize());
        configChanges.increment();
        LOG.info("USB pipeline reconfigured in place: merge window {} ms, debounce window {} ms, {} rule(s), default "
                + "{}; {} device(s) stay connected", TimeUnit.NANOSECONDS.toMillis(settings.mergeWindowNanos()),
                TimeUnit.NANOSECONDS.toMillis(settings.debounceWindowNanos()),
                settings.rules().rules().size(), settings.rules().defaultTarget().word(), pipeline.connectedCount());
    }

    @Deactivate
    public void deactivate() {
        lastGood.close();
        pipeline.close(); // settles open debounce windows: the log gets the final states
        timers.shutdownNow();
        sinks.close(); // sinks resume from their cursors at the next start
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

    @Override
    public String instanceId() {
        return instanceId;
    }

    static ConnectedDevice view(DeviceRegistry.Entry e) {
        return new ConnectedDevice(e.enriched(), e.sinceMillis(), e.attachEventId(), e.sources(),
                e.target() == RuleTarget.ALLOW, e.flapCount());
    }

    // --- counters (aw:pipeline, in PipelineCommands)

    /** The pipeline's own counters: reports, merging, debouncing, rules, log appends, sinks, configuration. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>(pipeline.metrics());
        m.put("reports.rejected", rejected.sum());
        m.put("log.appended", feed.appended.sum());
        m.put("log.updates", feed.updates.sum());
        m.put("log.reconciled", feed.reconciled.sum());
        m.put("log.updates_folded", feed.folded.sum());
        m.put("log.updates_expired", feed.expired.sum());
        sinks.stats().forEach((name, f) -> {
            m.put("sink." + name + ".delivered", f[0]);
            m.put("sink." + name + ".failures", f[2]);
            m.put("sink." + name + ".behind", f[3]);
        });
        m.put("config.changes", configChanges.sum());
        m.put("config.refused", lastGood.refusals());
        return m;
    }

    // --- sink whiteboard

    @Reference(service = UsbEventSink.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addSink(UsbEventSink sink, ServiceReference<UsbEventSink> ref) {
        Bundle owner = ref.getBundle();
        if (owner == null) {
            return; // unregistered meanwhile
        }
        sinks.add(ref, sinkName(ref), sink);
    }

    void updatedSink(UsbEventSink sink, ServiceReference<UsbEventSink> ref) {
        addSink(sink, ref);
    }

    void removeSink(ServiceReference<UsbEventSink> ref) {
        sinks.remove(ref);
    }

    /** {@link UsbEventSink#NAME}, else the component name, else the pid, else the service id. */
    static String sinkName(ServiceReference<?> ref) {
        for (String key : new String[] { UsbEventSink.NAME, "component.name", "service.pid" }) {
            Object v = ref.getProperty(key);
            if (v instanceof String s && !s.isBlank()) {
                return s.trim();
            }
        }
        return "service-" + ref.getProperty("service.id");
    }

    private void count(UsbEvent event) {
        String source = event.sources().isEmpty() ? "unknown" : event.sources().iterator().next();
        eventsByActionAndSource.computeIfAbsent(event.action().wireName() + "|" + source, k -> new LongAdder())
                .increment();
    }

    // --- /metrics

    @Override
    public void collect(MetricsCollector out) {
        Map<String, Long> p = pipeline.metrics();
        out.counter("autoweave_usb_config_changes_total", "Configuration changes applied in place", configChanges.sum());
        out.counter("autoweave_usb_config_refused_total", "Configuration changes refused (the running one stayed)",
                lastGood.refusals());
        out.gauge("autoweave_usb_config_error", "1 while the last configuration change was refused",
                lastGood.error() == null ? 0 : 1);
        eventsByActionAndSource.forEach((key, n) -> {
            int bar = key.indexOf('|');
            out.counter("autoweave_usb_events_total", "USB events delivered by the pipeline, by action and first source",
                    n.sum(), "action", key.substring(0, bar), "source", key.substring(bar + 1));
        });
        out.counter("autoweave_usb_reports_total", "Source reports taken by the pipeline", p.get("reports"));
        out.counter("autoweave_usb_reports_rejected_total", "Source reports rejected as invalid", rejected.sum());
        out.counter("autoweave_usb_sources_merged_total", "Reports merged into an event another source reported first",
                p.get("merge.sources_merged"));
        out.counter("autoweave_usb_debounce_suppressed_total", "Events held back by per-device debouncing",
                p.get("debounce.suppressed"));
        out.counter("autoweave_usb_debounce_flap_pairs_total", "Attach/detach pairs collapsed by debouncing",
                p.get("debounce.flap_pairs"));
        out.counter("autoweave_usb_blocked_total", "Events of devices blocked by the rules", p.get("rules.blocked"));
        out.gauge("autoweave_usb_devices_connected", "Devices in the registry", p.get("registry.connected"));
        sinks.stats().forEach((name, f) -> {
            out.counter("autoweave_usb_sink_delivered_total", "Events a UsbEventSink acknowledged", f[0], "sink", name);
            out.counter("autoweave_usb_sink_failures_total", "Batches a UsbEventSink refused (retried)", f[2],
                    "sink", name);
            out.gauge("autoweave_usb_sink_behind", "Log records after the sink's cursor", f[3], "sink", name);
        });
        out.counter("autoweave_usb_log_updates_total", "Late source reports appended as updates of logged events",
                feed.updates.sum());
    }

    static Path dataDir(BundleContext context) {
        return DataDirectory.require(context);
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
