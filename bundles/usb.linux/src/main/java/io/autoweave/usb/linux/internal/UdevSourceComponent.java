package io.autoweave.usb.linux.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.api.source.DeviceReportSink;
import io.autoweave.api.source.UsbSource;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.commons.retry.Backoff;

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

    private final LastGoodConfig<UdevConfig, UdevConfig> lastGood = new LastGoodConfig<>(PID, UdevConfig.class,
            UdevSourceComponent::check);
    private final LastGoodConfig.Runner<UdevConfig> runner = LastGoodConfig.Runner.of(this::start, this::stop);

    /** {@code context} null: no configuration status service (unit tests). */
    @Activate
    synchronized void activate(BundleContext context, UdevConfig config, Map<String, Object> properties) {
        lastGood.run(context, config, properties, runner);
    }

    /** An accepted change restarts the monitor on it (then a resync); a refused one keeps the monitor running. */
    @Modified
    synchronized void modified(UdevConfig config, Map<String, Object> properties) {
        lastGood.restart(config, properties, runner);
    }

    /** The configuration when every value is usable, else a refusal naming the key. */
    static UdevConfig check(UdevConfig config) {
        ConfigRefusal.notBlank("udevadm.path", config.udevadm_path());
        SysfsSourceComponent.checkRoot("sysfs.root", config.sysfs_root());
        ConfigRefusal.range("restart.backoff.initial.ms", config.restart_backoff_initial_ms(), 10, 300_000);
        ConfigRefusal.range("restart.backoff.max.ms", config.restart_backoff_max_ms(),
                config.restart_backoff_initial_ms(), 300_000);
        return config;
    }

    private void start(UdevConfig config) {
        if (!config.enabled()) {
            disabled = new Health(State.STOPPED, "disabled by configuration (" + PID + " enabled=false)", 0, 0);
            return;
        }
        disabled = null;
        SysfsDevices sysfs = new SysfsDevices(SysfsSourceComponent.sysfsRoot(PID, config.sysfs_root()));
        monitor = new UdevMonitor(command(config.udevadm_path().trim()), new UdevTranslator(sysfs,
                config.include_root_hubs()), sink, this::requestResync, Backoff.withoutJitter(config.restart_backoff_initial_ms(),
                config.restart_backoff_max_ms()), STOP_TIMEOUT).start();
    }

    private void stop() {
        UdevMonitor m = monitor;
        monitor = null;
        if (m != null) {
            m.stop();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        lastGood.stop(runner);
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
        Health d = disabled;
        if (m != null) {
            return m.health();
        }
        // between the stop and the start of a reconfiguration there is neither
        return d != null ? d : new Health(State.RESTARTING, "restarting on a new configuration", 0, 0);
    }
}
