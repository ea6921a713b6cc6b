package io.autoweave.usb.linux.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.api.source.DeviceReportSink;
import io.autoweave.api.source.UsbSource;

/**
 * The sysfs source: snapshots of {@code /sys/bus/usb/devices} for repair. Activates even without a USB bus (health
 * says so, scans continue at the configured period).
 */
@Component(service = {UsbSource.class, Resync.class}, configurationPid = SysfsSourceComponent.PID,
        property = "autoweave.usb.source=" + SysfsScanner.SOURCE,
        immediate = true)
@Designate(ocd = SysfsConfig.class)
// immediate: a source works whether or not anybody looks at its UsbSource service, and activation (which starts
// its thread) then happens on SCR's thread, never lazily on the thread of whichever bundle first asks for the
// service (under framework security that thread's permissions would be inherited by ours).
public final class SysfsSourceComponent implements UsbSource, Resync {

    static final String PID = "io.autoweave.usb.sysfs";
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(2);

    @Reference
    DeviceReportSink sink;

    private volatile SysfsScanner scanner;
    private volatile Health disabled;

    private final LastGoodConfig<SysfsConfig, SysfsConfig> lastGood = new LastGoodConfig<>(PID, SysfsConfig.class,
            SysfsSourceComponent::check);
    private final LastGoodConfig.Runner<SysfsConfig> runner = LastGoodConfig.Runner.of(this::start, this::stop);

    /** {@code context} null: no configuration status service (unit tests). */
    @Activate
    synchronized void activate(BundleContext context, SysfsConfig config, Map<String, Object> properties) {
        lastGood.run(context, config, properties, runner);
    }

    /** An accepted change restarts the scanner on it (a full scan, merged by the pipeline); a refused one keeps it. */
    @Modified
    synchronized void modified(SysfsConfig config, Map<String, Object> properties) {
        lastGood.restart(config, properties, runner);
    }

    /** The configuration when every value is usable, else a refusal naming the key. */
    static SysfsConfig check(SysfsConfig config) {
        checkRoot("sysfs.root", config.sysfs_root());
        ConfigRefusal.range("scan.interval.s", config.scan_interval_s(), 0, 86_400);
        return config;
    }

    static void checkRoot(String key, String value) {
        try {
            sysfsRoot(PID, value);
        } catch (IllegalArgumentException e) {
            throw new ConfigRefusal(key, value, "must be an absolute path such as /sys");
        }
    }

    private void start(SysfsConfig config) {
        if (!config.enabled()) {
            disabled = new Health(State.STOPPED, "disabled by configuration (" + PID + " enabled=false)", 0, 0);
            return;
        }
        disabled = null;
        scanner = new SysfsScanner(new SysfsDevices(sysfsRoot(PID, config.sysfs_root())), config.include_root_hubs(),
                sink, Duration.ofSeconds(config.scan_interval_s()), STOP_TIMEOUT).start();
    }

    private void stop() {
        SysfsScanner s = scanner;
        scanner = null;
        if (s != null) {
            s.stop();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        lastGood.stop(runner);
    }

    static Path sysfsRoot(String pid, String value) {
        String text = value == null ? "" : value.trim();
        try {
            Path root = Path.of(text);
            if (root.isAbsolute()) {
                return root;
            }
        } catch (InvalidPathException e) {
            // reported below
        }
        throw new IllegalArgumentException(pid + ": sysfs.root must be an absolute path such as /sys, got '" + value + "'");
    }

    @Override
    public void resync(String reason) {
        SysfsScanner s = scanner;
        if (s != null) {
            s.resync(reason);
        }
    }

    @Override
    public String name() {
        return SysfsScanner.SOURCE;
    }

    @Override
    public Health health() {
        SysfsScanner s = scanner;
        Health d = disabled;
        if (s != null) {
            return s.health();
        }
        // between the stop and the start of a reconfiguration there is neither
        return d != null ? d : new Health(State.RESTARTING, "restarting on a new configuration", 0, 0);
    }
}
