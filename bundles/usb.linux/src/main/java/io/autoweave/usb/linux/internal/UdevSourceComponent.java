package io.autoweave.usb.linux.internal;

import java.time.Duration;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.api.source.DeviceReportSink;
import io.autoweave.api.source.UsbSource;

/**
 * The udev source: a supervised {@code udevadm monitor}. Activates even where udev is missing (health says so and
 * the monitor retries at the back-off cap), so a machine without udev stays ready.
 */
@Component(service = UsbSource.class, configurationPid = UdevSourceComponent.PID,
        property = "autoweave.usb.source=" + UdevTranslator.SOURCE,
        immediate = true)
@Designate(ocd = UdevConfig.class)
// immediate: a source works whether or not anybody looks at its UsbSource service, and activation (which starts
// its thread) then happens on SCR's thread, never lazily on the thread of whichever bundle first asks for the
// service (under framework security that thread's permissions would be inherited by ours).
public final class UdevSourceComponent implements UsbSource {

    static final String PID = "io.autoweave.usb.udev";
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(2);

    @Reference
    DeviceReportSink sink;

    /** The sysfs source, when it runs; asked for a snapshot after each monitor (re)start. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Resync resync;

    private volatile UdevMonitor monitor;
    private volatile Health disabled;

    @Activate
    void activate(UdevConfig config) {
        String udevadm = config.udevadm_path() == null ? "" : config.udevadm_path().trim();
        if (udevadm.isEmpty()) {
            throw new IllegalArgumentException(PID + ": udevadm.path is empty; use udevadm or an absolute path");
        }
        SysfsDevices sysfs = new SysfsDevices(SysfsSourceComponent.sysfsRoot(PID, config.sysfs_root()));
        long initial = config.restart_backoff_initial_ms();
        long max = config.restart_backoff_max_ms();
        if (initial < 10 || max < initial || max > 300_000) {
            throw new IllegalArgumentException(PID + ": need 10 <= restart.backoff.initial.ms <= "
                    + "restart.backoff.max.ms <= 300000, got " + initial + " and " + max);
        }
        if (!config.enabled()) {
            disabled = new Health(State.STOPPED, "disabled by configuration (" + PID + " enabled=false)", 0, 0);
            return;
        }
        monitor = new UdevMonitor(command(udevadm), new UdevTranslator(sysfs, config.include_root_hubs()), sink,
                this::requestResync, new Backoff(initial, max), STOP_TIMEOUT).start();
    }

    @Deactivate
    void deactivate() {
        UdevMonitor m = monitor;
        if (m != null) {
            m.stop();
        }
    }

    /** {@code --subsystem-match=usb/usb_device} lets udevadm drop interface events before they reach us. */
    static List<String> command(String udevadm) {
        return List.of(udevadm, "monitor", "--udev", "--property", "--subsystem-match=usb/usb_device");
    }

    private void requestResync() {
        Resync r = resync;
        if (r != null) {
            r.resync("udev monitor (re)started");
        }
    }

    @Override
    public String name() {
        return UdevTranslator.SOURCE;
    }

    @Override
    public Health health() {
        UdevMonitor m = monitor;
        return m != null ? m.health() : disabled;
    }
}
