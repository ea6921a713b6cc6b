package io.autoweave.eventlog.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.data.DataDirectory;
import io.autoweave.api.device.EventHistory;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.EventLogAppender;
import io.autoweave.api.log.LogCursor;
import io.autoweave.api.log.LogRecord;
import io.autoweave.api.log.LogStatus;
import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.commons.config.ConfigurationStatus;
import io.autoweave.commons.config.LastGoodConfig;

/**
 * The event log in the runtime: {@code DATA/eventlog/} (segments and {@code cursors/}), the {@link EventLog} read
 * side, the {@link EventLogAppender} write side for the USB pipeline, the {@link EventHistory} view, the
 * {@code events.jsonl} export, {@code /metrics} and the Gogo command {@code aw:eventlog}.
 *
 * <p>Immediate, so the log is recovered and its writer runs before the pipeline's first event. A configuration change
 * that does not check out is refused and the running settings stay; a valid one takes effect at once for retention and
 * the export, and at the next start for the segment size, buffer and cache.
 */
@Component(service = { EventLog.class, EventLogAppender.class, MetricsSource.class }, immediate = true,
        configurationPid = EventLogComponent.PID,
        property = { "osgi.command.scope=aw", "osgi.command.function=eventlog" })
@Designate(ocd = EventLogConfiguration.class)
public final class EventLogComponent implements EventLog, EventLogAppender, MetricsSource {
    static final String PID = "io.autoweave.eventlog";
    private static final Logger LOG = LoggerFactory.getLogger(EventLogComponent.class);

    private DurableLog log;
    private Cursors cursors;
    private JsonExport export;
    private Path dataDir;
    private volatile LogSettings settings;
    private final LastGoodConfig<EventLogConfiguration, LogSettings> lastGood = new LastGoodConfig<>(PID,
            EventLogConfiguration.class, LogSettings::from);
    private ServiceRegistration<EventHistory> history;

    @Activate
    void activate(BundleContext context, EventLogConfiguration config, Map<String, Object> properties)
            throws IOException {
        Path data = DataDirectory.require(context);
        // a bad file at start: run on the defaults rather than without a log; the refusal says what to fix
        LogSettings s = lastGood.start(context, config, properties);
        settings = s;
        dataDir = data;
        open(dataDir, s);
        history = context.registerService(EventHistory.class, new HistoryView(log), null);
    }

    void open(Path data, LogSettings s) throws IOException {
        long t0 = System.nanoTime();
        log = new DurableLog(data.resolve("eventlog"), s, System::currentTimeMillis);
        cursors = new Cursors(data.resolve("eventlog").resolve("cursors"), s.cursorFlushMillis());
        export = s.export() ? new JsonExport(log, data, s.exportMaxBytes(), s.exportFiles()) : null;
        LOG.info("event log open: seq {} to {}, {} segment(s), {} bytes, recovered in {} ms{}", log.firstSeq(),
                log.lastSeq(), log.segments(), log.bytes(), (System.nanoTime() - t0) / 1_000_000,
                log.recoveredTruncatedBytes() > 0 ? ", " + log.recoveredTruncatedBytes() + " torn byte(s) cut" : "");
    }

    @Modified
    void modified(EventLogConfiguration config, Map<String, Object> properties) {
        lastGood.modified(config, properties).ifPresent(this::apply);
    }

    private synchronized void apply(LogSettings s) {
        LogSettings old = settings;
        // retention and the export apply now; the rest shapes structures built at start
        settings = new LogSettings(old.segmentBytes(), s.retentionBytes(), s.retentionMillis(), old.bufferRecords(),
                old.cacheRecords(), old.maxBatch(), old.cursorFlushMillis(), s.export(), s.exportMaxBytes(),
                s.exportFiles());
        log.settings(settings);
        if (s.export() != (export != null)) {
            try {
                if (export != null) {
                    export.close();
                    export = null;
                } else {
                    export = new JsonExport(log, dataDir, s.exportMaxBytes(), s.exportFiles());
                }
            } catch (IOException e) {
                LOG.warn("events.jsonl export not started: {}", e.toString());
            }
        }
        LOG.info("event log reconfigured: retention {} MiB / {} h, export {}", s.retentionBytes() / LogSettings.MIB,
                s.retentionMillis() / 3600_000L, s.export() ? "on" : "off");
    }

    @Deactivate
    void deactivate() {
        lastGood.close();
        if (history != null) {
            try {
                history.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
        }
        close();
    }

    /**
     * A log in {@code dataDir} with the default settings, outside a framework: for tests of its readers and writer
     * (other bundles' unit tests use the real log instead of a stand-in). {@link #close()} it.
     */
    public static EventLogComponent openAt(Path dataDir) throws IOException {
        EventLogComponent c = new EventLogComponent();
        c.settings = LogSettings.defaults();
        c.dataDir = dataDir;
        c.open(dataDir, c.settings);
        return c;
    }

    /** Commits what is pending, then closes the files. */
    public void close() {
        log.close(); // commits what is pending first
        if (export != null) {
            export.close();
        }
        cursors.close();
    }

    // --- EventLogAppender

    @Override
    public void append(UsbEvent event) {
        log.append(event);
    }

    @Override
    public void appendReconciled(UsbEvent event, long lastSeenMillis) {
        log.appendReconciled(event, lastSeenMillis);
    }

    @Override
    public void appendUpdate(UsbEvent updated) {
        log.appendUpdate(updated);
    }

    // --- EventLog

    @Override
    public long firstSeq() {
        return log.firstSeq();
    }

    @Override
    public long lastSeq() {
        return log.lastSeq();
    }

    @Override
    public List<LogRecord> read(long afterSeq, int max) {
        return log.read(afterSeq, max);
    }

    @Override
    public boolean await(long afterSeq, long timeoutMillis) throws InterruptedException {
        return log.await(afterSeq, timeoutMillis);
    }

    @Override
    public List<LogRecord> recent(String signature, int max) {
        return signature == null ? List.of() : log.recent(signature, max);
    }

    @Override
    public LogCursor cursor(String name) {
        return cursors.get(name, log.lastSeq());
    }

    @Override
    public LogStatus status() {
        return log.status();
    }

    @Override
    public List<LogRecord> connected() {
        return log.connected();
    }

    @Override
    public long lastAliveMillis() {
        return log.lastAliveMillis();
    }

    // --- Gogo

    @Descriptor("the event log: seqs kept, size, whether it is writing, buffered and lost events, export position")
    public Map<String, Object> eventlog() {
        Map<String, Object> m = new LinkedHashMap<>();
        LogStatus st = log.status();
        m.put("writable", st.writable());
        if (!st.writable()) {
            m.put("reason", st.reason());
        }
        m.put("first.seq", log.firstSeq());
        m.put("last.seq", log.lastSeq());
        m.put("bytes", log.bytes());
        m.put("segments", log.segments());
        m.put("buffered", st.buffered());
        m.put("lost", st.lost());
        m.put("appended", log.appended.sum());
        m.put("written", log.written.sum());
        m.put("fsyncs", log.fsyncs.sum());
        m.put("bytes.written", log.bytesWritten.sum());
        m.put("write.failures", log.writeFailures.sum());
        m.put("retention.dropped", log.retentionDropped.sum());
        if (export != null) {
            m.put("export.seq", export.position());
        }
        ConfigurationStatus.Refusal refused = lastGood.error();
        if (refused != null) {
            m.put("config.error", refused.key() + "=" + refused.value() + ": " + refused.reason());
        }
        return m;
    }

    // --- /metrics

    @Override
    public void collect(MetricsCollector out) {
        LogStatus st = log.status();
        out.gauge("autoweave_eventlog_writable", "1 while the event log commits records, 0 while it cannot write",
                st.writable() ? 1 : 0);
        out.gauge("autoweave_eventlog_buffered", "Events held in memory, not yet committed", st.buffered());
        out.counter("autoweave_eventlog_lost_total",
                "Events dropped because the memory buffer overflowed while the disk could not be written", st.lost());
        out.counter("autoweave_eventlog_appended_total", "Records handed to the event log", log.appended.sum());
        out.counter("autoweave_eventlog_committed_total", "Records written and fsynced", log.written.sum());
        out.counter("autoweave_eventlog_fsyncs_total", "Group commits (one fsync each)", log.fsyncs.sum());
        out.counter("autoweave_eventlog_bytes_written_total", "Bytes of records written", log.bytesWritten.sum());
        out.counter("autoweave_eventlog_write_failures_total", "Group commits that failed (retried)",
                log.writeFailures.sum());
        out.counter("autoweave_eventlog_retention_dropped_total", "Records deleted by retention",
                log.retentionDropped.sum());
        out.gauge("autoweave_eventlog_last_seq", "Seq of the newest committed record", log.lastSeq());
        out.gauge("autoweave_eventlog_first_seq", "Seq of the oldest record kept", log.firstSeq());
        out.gauge("autoweave_eventlog_bytes", "Bytes of the segment files", log.bytes());
        out.counter("autoweave_eventlog_config_refused_total", "Configuration changes refused (the running one stayed)",
                lastGood.refusals());
        if (export != null) {
            out.gauge("autoweave_eventlog_export_lag", "Records not yet in events.jsonl",
                    log.lastSeq() - export.position());
        }
    }
}
