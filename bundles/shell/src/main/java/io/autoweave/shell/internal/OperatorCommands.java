package io.autoweave.shell.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.autoweave.api.device.ConnectedDevice;
import io.autoweave.api.device.DeviceRegistry;
import io.autoweave.api.device.EventHistory;
import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.commons.config.ConfigurationStatus;
import io.autoweave.api.source.UsbSource;
import io.autoweave.commons.event.EventJson;
import io.autoweave.commons.json.Json;
import io.autoweave.commons.text.Table;

/**
 * The operator's view from the shell: {@code aw:devices} (with filters), {@code aw:device} (one device and its
 * recent events), {@code aw:watch} (events as they are delivered) and {@code aw:health} (detection sources and every
 * gauge the bundles report: outbox depth and age, Redis, sink queues, webhooks). Read-only, over the API services.
 */
@Component(service = OperatorCommands.class, property = { "osgi.command.scope=aw", "osgi.command.function=devices",
        "osgi.command.function=device", "osgi.command.function=watch", "osgi.command.function=health" })
public final class OperatorCommands {
    private static final String NONE = "-";

    private final DeviceRegistry registry;
    private final EventHistory history;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final List<UsbSource> sources = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final List<MetricsSource> metrics = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final List<ConfigurationStatus> configurations = new CopyOnWriteArrayList<>();

    @Activate
    public OperatorCommands(@Reference DeviceRegistry registry, @Reference EventHistory history) {
        this.registry = registry;
        this.history = history;
    }

    private static final String JSON = "print JSON (the shape of GET /api/v1/devices) instead of a table";
    private static final String FILTER = "VENDOR, VENDOR:PRODUCT (4 hex digits each, * for any) or class=XX (device "
            + "or interface class, hex)";

    @Descriptor("list the connected USB devices, oldest first")
    public String devices(@Descriptor(JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json) {
        return devices(json, null);
    }

    @Descriptor("list the connected USB devices that match, oldest first")
    public String devices(@Descriptor(JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json, @Descriptor(FILTER) String filter) {
        DeviceFilter f = DeviceFilter.parse(filter);
        List<ConnectedDevice> matching = new ArrayList<>();
        for (ConnectedDevice c : registry.connected()) {
            if (f.matches(c.device())) {
                matching.add(c);
            }
        }
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            matching.forEach(c -> list.add(EventJson.connected(c)));
            return Json.write(Map.of("devices", list));
        }
        if (matching.isEmpty()) {
            return "no connected device" + (filter == null ? "" : " matches " + filter);
        }
        Table t = new Table("DEVICE", "SERIAL", "PORT", "CLASS", "STATE", "SINCE", "SOURCES", "FLAPS", "SIGNATURE");
        for (ConnectedDevice c : matching) {
            UsbDevice d = c.device();
            t.row(d.vendorHex() + ":" + d.productHex(), d.serial(), d.portPath(),
                    String.format(Locale.ROOT, "%02x", d.deviceClass()), c.allowed() ? "allowed" : "BLOCKED",
                    Instant.ofEpochMilli(c.sinceMillis()), String.join(",", c.sources()), c.flapCount(), d.signature());
        }
        return t.toString();
    }

    static String line(ConnectedDevice c) {
        UsbDevice d = c.device();
        return String.format(Locale.ROOT, "%s:%s serial=%s port=%s class=%02x %s since=%s sources=%s%s signature=%s",
                d.vendorHex(), d.productHex(), d.serial() == null ? NONE : d.serial(),
                d.portPath() == null ? NONE : d.portPath(), d.deviceClass(), c.allowed() ? "allowed" : "BLOCKED",
                Instant.ofEpochMilli(c.sinceMillis()), String.join(",", c.sources()),
                c.flapCount() > 0 ? " flaps=" + c.flapCount() : "", d.signature());
    }

    @Descriptor("show one device by signature: its identity, whether it is connected (since when, which sources) and its "
            + "recent events")
    public String device(@Descriptor("the device signature (64 hex digits, as aw:devices shows it)") String signature) {
        if (signature == null || !signature.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("a device signature is 64 hex digits (aw:devices shows them), not '"
                    + signature + "'");
        }
        List<ConnectedDevice> connected = registry.find(signature);
        List<HistoryEvent> recent = history.recent(signature, 20);
        if (connected.isEmpty() && recent.isEmpty()) {
            return "no device " + signature.toLowerCase(Locale.ROOT) + " is connected or in the event history";
        }
        StringBuilder b = new StringBuilder();
        UsbDevice d = !connected.isEmpty() ? connected.get(0).device() : recent.get(recent.size() - 1).event().device();
        b.append(String.format(Locale.ROOT, "%s:%s %s / %s serial=%s class=%02x/%02x/%02x interfaces=%s bcdDevice=%04x%n",
                d.vendorHex(), d.productHex(), text(d.manufacturer()), text(d.product()), text(d.serial()),
                d.deviceClass(), d.deviceSubclass(), d.deviceProtocol(), d.interfaceClasses(), d.bcdDevice()));
        b.append("signature ").append(d.signature()).append(System.lineSeparator());
        if (connected.isEmpty()) {
            b.append("not connected").append(System.lineSeparator());
        }
        for (ConnectedDevice c : connected) {
            b.append("connected: ").append(line(c)).append(System.lineSeparator());
        }
        b.append("recent events (").append(recent.size()).append("):").append(System.lineSeparator());
        for (HistoryEvent h : recent) {
            b.append("  ").append(event(h)).append(System.lineSeparator());
        }
        return b.toString().stripTrailing();
    }

    static String event(HistoryEvent h) {
        UsbEvent e = h.event();
        UsbDevice d = e.device();
        return String.format(Locale.ROOT, "#%d %s %-6s %s:%s serial=%s port=%s sources=%s%s id=%s", h.sequence(),
                Instant.ofEpochMilli(e.timestampMillis()), e.action().wireName(), d.vendorHex(), d.productHex(),
                text(d.serial()), text(d.portPath()), String.join(",", e.sources()),
                e.flapCount() > 0 ? " flaps=" + e.flapCount() : "", e.eventId());
    }

    private static String text(String s) {
        return s == null ? NONE : s;
    }

    @Descriptor("print USB events as they are delivered: the next 20, or what comes in 60 s (Ctrl-C stops)")
    public String watch() {
        return watch(20, 60, null);
    }

    @Descriptor("print USB events as they are delivered, until COUNT events or SECONDS pass (Ctrl-C stops)")
    public String watch(
            @Descriptor("stop after this many events") @Parameter(names = { "-n", "--count" },
                    absentValue = "20") int count,
            @Descriptor("stop after this many seconds") @Parameter(names = { "-t", "--seconds" },
                    absentValue = "60") int seconds) {
        return watch(count, seconds, null);
    }

    @Descriptor("print the USB events of matching devices as they are delivered, until COUNT events or SECONDS pass")
    public String watch(
            @Descriptor("stop after this many events") @Parameter(names = { "-n", "--count" },
                    absentValue = "20") int count,
            @Descriptor("stop after this many seconds") @Parameter(names = { "-t", "--seconds" },
                    absentValue = "60") int seconds,
            @Descriptor("VENDOR, VENDOR:PRODUCT (4 hex digits each, * for any) or class=XX") String filter) {
        if (count < 1 || seconds < 1) {
            throw new IllegalArgumentException("count and seconds must be >= 1");
        }
        DeviceFilter f = DeviceFilter.parse(filter);
        long end = System.currentTimeMillis() + seconds * 1000L;
        long cursor = history.newest();
        int shown = 0;
        System.out.println("watching from event #" + (cursor + 1) + " (up to " + count + " events or " + seconds
                + " s)");
        while (shown < count) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            try {
                if (!history.await(cursor, Math.min(left, 1000))) {
                    continue;
                }
            } catch (InterruptedException e) {
                // Ctrl-C in the console interrupts this command's thread: the watch ends, nothing else does
                return shown + " event(s) shown; stopped by Ctrl-C";
            }
            List<HistoryEvent> batch = history.after(cursor, count - shown);
            if (!batch.isEmpty() && batch.get(0).sequence() > cursor + 1) {
                System.out.println("(" + (batch.get(0).sequence() - cursor - 1) + " events left the history before "
                        + "they could be shown)");
            }
            for (HistoryEvent h : batch) {
                cursor = h.sequence();
                if (f.matches(h.event().device())) {
                    System.out.println(event(h));
                    shown++;
                }
            }
        }
        return shown + " event(s) shown";
    }

    @Descriptor("health: every detection source's state, every component configuration's state (a refused value "
            + "and what runs instead), and every gauge the runtime's bundles report (Redis and its "
            + "outbox, sink queues, webhooks, plugins)")
    public String health(@Descriptor("print JSON: {sources: [{name, state, restarts, reports, detail}], configuration: "
            + "[{pid, state, refusals, key, value, reason, in_force}], gauges: "
            + "{NAME{LABELS}: VALUE}}") @Parameter(names = "--json", presentValue = "true",
                    absentValue = "false") boolean json) {
        List<UsbSource> list = new ArrayList<>(sources);
        list.sort((a, c) -> a.name().compareTo(c.name()));
        Table table = new Table("SOURCE", "STATE", "RESTARTS", "REPORTS", "DETAIL");
        List<Map<String, Object>> sourceJson = new ArrayList<>();
        for (UsbSource s : list) {
            UsbSource.Health h = s.health();
            if (h == null) { // a source that cannot say must not take the whole report down
                h = new UsbSource.Health(UsbSource.State.FAILED, "no health reported", 0, 0);
            }
            table.row(s.name(), h.state(), h.restarts(), h.reports(), h.detail() == null ? "" : h.detail());
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("name", s.name());
            m.put("state", h.state().name());
            m.put("restarts", h.restarts());
            m.put("reports", h.reports());
            m.put("detail", h.detail());
            sourceJson.add(m);
        }
        List<ConfigurationStatus> configs = new ArrayList<>(configurations);
        configs.sort((a, c) -> a.pid().compareTo(c.pid()));
        Table configTable = new Table("PID", "STATE", "REFUSALS", "DETAIL");
        List<Map<String, Object>> configJson = new ArrayList<>();
        for (ConfigurationStatus c : configs) {
            ConfigurationStatus.Refusal r = c.error();
            configTable.row(c.pid(), r == null ? "ok" : "REFUSED", c.refusals(), r == null ? ""
                    : r.key() + "=" + r.value() + ": " + r.reason() + "; running on the " + r.inForce());
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("pid", c.pid());
            m.put("state", r == null ? "ok" : "refused");
            m.put("refusals", c.refusals());
            if (r != null) {
                m.put("key", r.key());
                m.put("value", r.value());
                m.put("reason", r.reason());
                m.put("in_force", r.inForce());
            }
            configJson.add(m);
        }
        Map<String, Double> gauges = new TreeMap<>();
        MetricsCollector collector = new MetricsCollector() {
            @Override
            public void counter(String name, String help, double value, String... labels) {
            }

            @Override
            public void gauge(String name, String help, double value, String... labels) {
                gauges.put(name + labels(labels), value);
            }

            @Override
            public void histogram(String name, String help, double[] upperBounds, long[] bucketCounts, double sum,
                    long count, String... labels) {
            }
        };
        for (MetricsSource m : metrics) {
            try {
                m.collect(collector);
            } catch (RuntimeException e) {
                gauges.put("error{source=\"" + m.getClass().getName() + "\"}", Double.NaN);
            }
        }
        if (json) {
            Map<String, Object> g = new java.util.LinkedHashMap<>();
            gauges.forEach((k, v) -> g.put(k, v.isNaN() || v.isInfinite() ? v.toString() : v));
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("sources", sourceJson);
            m.put("configuration", configJson);
            m.put("gauges", g);
            return Json.write(m);
        }
        StringBuilder b = new StringBuilder("detection sources:").append(System.lineSeparator());
        b.append(list.isEmpty() ? "  none registered" : table.toString().indent(2).stripTrailing())
                .append(System.lineSeparator());
        b.append("configuration:").append(System.lineSeparator());
        b.append(configs.isEmpty() ? "  none registered" : configTable.toString().indent(2).stripTrailing())
                .append(System.lineSeparator());
        b.append("gauges:").append(System.lineSeparator());
        Table gaugeTable = new Table("GAUGE", "VALUE");
        gauges.forEach((k, v) -> gaugeTable.row(k,
                v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString(v.longValue()) : v.toString()));
        b.append(gaugeTable.toString().indent(2).stripTrailing());
        return b.toString();
    }

    private static String labels(String... labels) {
        if (labels.length == 0) {
            return "";
        }
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(labels[i]).append("=\"").append(labels[i + 1]).append('"');
        }
        return b.append('}').toString();
    }
}
