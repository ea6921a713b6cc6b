package io.autoweave.usb.pipeline.internal.sources;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.LongAdder;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.api.device.DeviceRegistry;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.source.DeviceReport;
import io.autoweave.api.source.DeviceReportSink;
import io.autoweave.api.source.UsbSource;
import io.autoweave.usb.pipeline.internal.support.TaskScheduler;

/**
 * The {@code simulated} detection source, driven by an operator or a test through Gogo: {@code aw:simulate}
 * reports one attach or detach, {@code aw:replay} plays a JSON Lines file ({@link ReplayParser}) with its
 * delays, {@code aw:devices} lists what the pipeline holds connected. Reports go through the
 * {@link DeviceReportSink} service like those of any real source.
 */
@Component(service = UsbSource.class, property = { "osgi.command.scope=aw", "osgi.command.function=simulate",
        "osgi.command.function=replay" })
public final class SimulatedSource implements UsbSource {

    static final String NAME = ReplayParser.DEFAULT_SOURCE;
    /** Written for "no serial" on the command line, so a port can follow. */
    static final String NONE = "-";

    private final DeviceReportSink sink;
    private final DeviceRegistry registry;
    private final TaskScheduler scheduler;
    private final Runnable onClose;
    final LongAdder reports = new LongAdder();

    @Activate
    public SimulatedSource(@Reference DeviceReportSink sink, @Reference DeviceRegistry registry) {
        this(sink, registry, newPlayerThread());
    }

    private SimulatedSource(DeviceReportSink sink, DeviceRegistry registry, ScheduledThreadPoolExecutor player) {
        this(sink, registry, TaskScheduler.of(player), player::shutdownNow);
    }

    SimulatedSource(DeviceReportSink sink, DeviceRegistry registry, TaskScheduler scheduler, Runnable onClose) {
        this.sink = sink;
        this.registry = registry;
        this.scheduler = scheduler;
        this.onClose = onClose;
    }

    @Deactivate
    void deactivate() {
        onClose.run(); // stops replays still playing
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Health health() {
        return new Health(State.RUNNING, "reports on demand: aw:simulate, aw:replay", 0, reports.sum());
    }

    // --- Gogo commands

    @Descriptor("report one attach or detach, as if a source had seen it")
    public String simulate(
            @Descriptor("source name to report as (default simulated); another name, e.g. udev, simulates a second "
                    + "source seeing the same action") @Parameter(names = { "-s", "--source" }, absentValue = NAME)
            String source,
            @Descriptor("attach or detach") String action,
            @Descriptor("vendor:product, 4 hex digits each, e.g. 046d:c52b") String ids) {
        return simulate(source, action, ids, NONE, null);
    }

    @Descriptor("report one attach or detach of a device with a serial number")
    public String simulate(
            @Descriptor("source name to report as (default simulated)") @Parameter(names = { "-s", "--source" },
                    absentValue = NAME) String source,
            @Descriptor("attach or detach") String action,
            @Descriptor("vendor:product, 4 hex digits each, e.g. 046d:c52b") String ids,
            @Descriptor("serial number, or - for none") String serial) {
        return simulate(source, action, ids, serial, null);
    }

    @Descriptor("report one attach or detach of a device with a serial number on a port")
    public String simulate(
            @Descriptor("source name to report as (default simulated)") @Parameter(names = { "-s", "--source" },
                    absentValue = NAME) String source,
            @Descriptor("attach or detach") String action,
            @Descriptor("vendor:product, 4 hex digits each, e.g. 046d:c52b") String ids,
            @Descriptor("serial number, or - for none") String serial,
            @Descriptor("port path, e.g. 1-2.3") String port) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("--source must not be blank");
        }
        UsbAction parsedAction = UsbAction.parse(action);
        int[] vp = parseIds(ids);
        String serialNumber = serial == null || NONE.equals(serial) ? null : serial;
        UsbDevice device = new UsbDevice(vp[0], vp[1], serialNumber, null, null, 0, 0, 0, List.of(), 0, -1, -1,
                port, null);
        sink.report(DeviceReport.now(source, parsedAction, device));
        reports.increment();
        return parsedAction.wireName() + " " + device.vendorHex() + ":" + device.productHex()
                + (serialNumber == null ? "" : " serial " + serialNumber) + (port == null ? "" : " port " + port)
                + " reported by " + source + "; " + registry.connected().size() + " device(s) connected";
    }

    @Descriptor("play a JSON Lines replay file (one report per line, with delay_ms) in the background")
    public String replay(@Descriptor("path of the replay file") String file) {
        Path path = Path.of(file);
        List<ReplayParser.Step> steps;
        try {
            steps = ReplayParser.parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + path + ": " + e, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
        ReplayPlayer.play(steps, scheduler, r -> {
            sink.report(DeviceReport.now(r.source(), r.action(), r.device()));
            reports.increment();
        });
        long total = steps.stream().mapToLong(ReplayParser.Step::delayMillis).sum();
        return "replaying " + steps.size() + " report(s) from " + path + " over " + total + " ms";
    }

    static int[] parseIds(String ids) {
        String[] parts = ids == null ? new String[0] : ids.trim().split(":", -1);
        if (parts.length != 2 || !isHex4(parts[0]) || !isHex4(parts[1])) {
            throw new IllegalArgumentException("expected vendor:product as 4 hex digits each, like 046d:c52b, found '"
                    + ids + "'");
        }
        return new int[] { Integer.parseInt(parts[0], 16), Integer.parseInt(parts[1], 16) };
    }

    private static boolean isHex4(String s) {
        return s.length() == 4 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static ScheduledThreadPoolExecutor newPlayerThread() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "autoweave-usb-simulated");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
