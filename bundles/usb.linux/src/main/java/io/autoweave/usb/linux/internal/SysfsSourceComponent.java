package io.autoweave.usb.linux.internal;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

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

    @Activate
    void activate(SysfsConfig config) {
        Path root = sysfsRoot(PID, config.sysfs_root());
        int interval = config.scan_interval_s();
        if (interval < 0 || interval > 86_400) {
            throw new IllegalArgumentException(PID + ": scan.interval.s must be 0..86400 (0 = only at start and on "
                    + "request), got " + interval);
        }
        if (!config.enabled()) {
            disabled = new Health(State.STOPPED, "disabled by configuration (" + PID + " enabled=false)", 0, 0);
            return;
        }
        scanner = new SysfsScanner(new SysfsDevices(root), config.include_root_hubs(), sink,
                Duration.ofSeconds(interval), STOP_TIMEOUT).start();
    }

    @Deactivate
    void deactivate() {
        SysfsScanner s = scanner;
        if (s != null) {
            s.stop();
        }
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
        return s != null ? s.health() : disabled;
    }
}
