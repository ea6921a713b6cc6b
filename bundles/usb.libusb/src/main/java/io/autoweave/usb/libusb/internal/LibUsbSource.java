package io.autoweave.usb.libusb.internal;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.usb4java.ConfigDescriptor;
import org.usb4java.Context;
import org.usb4java.Device;
import org.usb4java.DeviceDescriptor;
import org.usb4java.DeviceHandle;
import org.usb4java.HotplugCallback;
import org.usb4java.HotplugCallbackHandle;
import org.usb4java.LibUsb;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.source.DeviceReport;
import io.autoweave.api.source.DeviceReportSink;
import io.autoweave.api.source.UsbSource;
import io.autoweave.commons.collect.RecentByKey;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.commons.retry.Backoff;

/**
 * libusb hot-plug. One thread runs libusb's event loop; the hot-plug callback only copies what libusb already
 * knows (descriptors need no I/O) and hands the device to a second thread that reads its strings, so a slow or
 * unopenable device never stalls the event loop. {@code HOTPLUG_ENUMERATE} reports devices present at start.
 * When libusb fails, the loop restarts with back-off and the health shows why.
 *
 * <p><b>Strings.</b> Read from sysfs first ({@code ROOT/bus/usb/devices/PORT/serial}, ...): the kernel read them
 * before announcing the device, needs no permission on the device node and no I/O, and the udev and sysfs sources
 * read the very same bytes, so all sources agree on the serial, which the signature hashes. Only without sysfs is
 * the device opened. A device gone before its strings could be read keeps the serial last seen on that port when
 * its descriptor is the same (a flap), so a flapping device keeps one signature.
 *
 * <p><b>Divergence.</b> Every {@code divergence.check.ms} libusb's view (what it reported attached and not yet
 * detached: model and bus address per port) is compared with sysfs ({@code idVendor}, {@code idProduct},
 * {@code devnum}). A difference lasting {@code divergence.bound.ms} means libusb missed events and
 * will not recover by itself (a lost netlink message leaves a stale device in libusb's list, and a device arriving
 * later at the same bus address is then ignored: "blind while RUNNING"). The source then turns DEGRADED and
 * re-creates its libusb context: the new context enumerates what is there (the pipeline absorbs what it already
 * knew and merges what libusb had missed), and devices libusb still held that are gone are reported detached.
 * Health is RUNNING again once the views agree.
 *
 * <p>All reads and writes of what is attached happen on the strings thread, in the order libusb reported, so a
 * detach never overtakes the attach it follows.
 *
 * <p><b>Size.</b> Why one class of over 400 lines: the event loop, the strings thread and the divergence check share
 * one view of what libusb reported attached, which only the strings thread changes; split, that view would have to be
 * published across classes and threads.
 */
@Component(service = UsbSource.class, configurationPid = LibUsbSource.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = LibUsbConfig.class)
public final class LibUsbSource implements UsbSource {
    static final String NAME = "libusb";
    private static final System.Logger LOG = System.getLogger(LibUsbSource.class.getName());

    private final DeviceReportSink sink;
    static final String PID = "io.autoweave.usb.libusb";
    /** The configuration in force (last good); read live by the event loop, so most changes apply at once. */
    private volatile LibUsbConfig config;
    private final LastGoodConfig<LibUsbConfig, LibUsbConfig> lastGood = new LastGoodConfig<>(PID, LibUsbConfig.class,
            LibUsbSource::check);
    private java.util.concurrent.ScheduledFuture<?> checking;
    private final java.util.concurrent.ThreadPoolExecutor enricher = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
            TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
            r -> new Thread(r, "autoweave-libusb-strings"));
    /** Hot-plug callbacks libusb made (arrived + left), to tell a silent libusb from a stuck strings thread. */
    private final AtomicLong callbacks = new AtomicLong();
    /** What each port held at attach, so a detach (when strings can no longer be read) carries the same identity. */
    private final Map<String, UsbDevice> attached = new ConcurrentHashMap<>();
    /** Ports whose last device is remembered (a real topology has far fewer; virtual buses could have more). */
    static final int PORTS_REMEMBERED = 4096;
    /** The last device seen on each port, kept after its detach: the serial of a device that flapped away unread. */
    private final RecentByKey<String, UsbDevice> lastSeen = new RecentByKey<>(PORTS_REMEMBERED);
    private final AtomicLong reports = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong reinitialisations = new AtomicLong();
    private volatile Health health = new Health(State.STARTING, "starting", 0, 0);
    private volatile boolean running = true;
    /** Set by the divergence check: end the current libusb context and create a new one at once. */
    private volatile boolean reinit;
    /**
     * When the divergence check asked for a new context (System.nanoTime), until the new context has enumerated;
     * 0 when none is being created. Meanwhile the check does not fire again: libusb_init and its enumeration can
     * block for seconds on a busy machine, and a second request would throw the new context away as soon as it is up.
     */
    private volatile long recreatingSince;
    /** Set by the event loop once a re-created context has enumerated: the check starts its clock over. */
    private volatile boolean recreated;
    private volatile boolean recreationSlowReported;
    private volatile String degraded;
    private final Thread loop;
    private volatile KernelView kernel;
    private volatile Divergence divergence;
    private final ScheduledExecutorService checker;
    /** Ports the current session's enumeration reported (event loop thread only, during registration). */
    private Set<String> enumerated;

    @Activate
    public LibUsbSource(BundleContext context, @Reference DeviceReportSink sink, LibUsbConfig given,
            Map<String, Object> properties) {
        this.sink = sink;
        // a refused configuration at start: the source runs on its defaults and the refusal says what to fix
        LibUsbConfig config = lastGood.start(context, given, properties);
        this.config = config;
        this.kernel = new KernelView(sysfsRoot(config.sysfs_root()));
        this.loop = new Thread(this::run, "autoweave-libusb-events");
        this.loop.setDaemon(true);
        this.checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "autoweave-libusb-divergence");
            t.setDaemon(true);
            return t;
        });
        if (config.enabled()) {
            loop.start();
            scheduleDivergence(config);
        } else {
            health = new Health(State.STOPPED, "disabled by configuration", 0, 0);
        }
    }

    /** The configuration when every value is usable, else a refusal naming the key. */
    static LibUsbConfig check(LibUsbConfig config) {
        try {
            sysfsRoot(config.sysfs_root());
        } catch (IllegalArgumentException e) {
            throw new ConfigRefusal("sysfs.root", config.sysfs_root(), "must be an absolute path such as /sys");
        }
        ConfigRefusal.range("divergence.check.ms", config.divergence_check_ms(), 100, 60_000);
        long bound = config.divergence_bound_ms();
        if (bound != 0 && (bound < 1000 || bound > 600_000)) {
            throw new ConfigRefusal("divergence.bound.ms", bound, "must be 0 (off) or from 1000 to 600000");
        }
        return config;
    }

    /**
     * Applied in place: the event loop reads the time-outs, back-off and string reading live; the divergence check
     * and sysfs root are replaced; switching the source on or off applies at the next start. A refused change keeps
     * the source running as it is.
     */
    @Modified
    void modified(LibUsbConfig given, Map<String, Object> properties) {
        lastGood.modified(given, properties).ifPresent(c -> {
            boolean wasEnabled = config.enabled();
            kernel = new KernelView(sysfsRoot(c.sysfs_root()));
            config = c;
            if (wasEnabled) {
                scheduleDivergence(c);
            }
            if (c.enabled() != wasEnabled) {
                LOG.log(System.Logger.Level.WARNING, PID + ": enabled=" + c.enabled() + " applies at the next start");
            }
        });
    }

    private synchronized void scheduleDivergence(LibUsbConfig c) {
        if (checking != null) {
            checking.cancel(false);
            checking = null;
        }
        long bound = c.divergence_bound_ms();
        divergence = bound == 0 ? null : new Divergence(TimeUnit.MILLISECONDS.toNanos(bound));
        if (divergence != null) {
            long check = c.divergence_check_ms();
            checking = checker.scheduleWithFixedDelay(this::checkDivergence, check, check, TimeUnit.MILLISECONDS);
        }
    }

    private static Path sysfsRoot(String value) {
        try {
            Path p = Path.of(value == null ? "" : value.trim());
            if (p.isAbsolute()) {
                return p;
            }
        } catch (InvalidPathException e) {
            // reported below
        }
        throw new IllegalArgumentException(PID + ": sysfs.root must be an absolute path such as /sys, got '" + value
                + "'");
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        lastGood.close();
        running = false;
        checker.shutdownNow();
        loop.join(TimeUnit.SECONDS.toMillis(5));
        enricher.shutdownNow();
        enricher.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Compares libusb's view with the kernel's; a lasting difference re-creates the libusb context. */
    private void checkDivergence() {
        try {
            if (!kernel.available() || health.state() == State.RESTARTING || health.state() == State.STARTING) {
                return;
            }
            Map<String, String> kernelView = kernel.devices();
            Map<String, String> libusbView = new TreeMap<>();
            // with the bus address where the kernel gives one: libusb that missed a detach and the next attach on a
            // port (a flap) holds the same model there, at the old address
            attached.forEach((port, d) -> libusbView.put(port, d.vendorHex() + ":" + d.productHex()
                    + (d.deviceAddress() > 0 && kernelView.getOrDefault(port, "").indexOf('@') > 0
                            ? "@" + d.deviceAddress() : "")));
            Divergence divergence = this.divergence;
            if (divergence == null) {
                return;
            }
            long since = recreatingSince;
            if (since != 0) {
                reportSlowRecreation(since);
                return;
            }
            if (recreated) {
                recreated = false;
                divergence.reset();
            }
            String why = divergence.check(libusbView, kernelView, System.nanoTime());
            if (why != null) {
                degraded = "libusb disagreed with sysfs: " + why + "; libusb context re-created "
                        + reinitialisations.incrementAndGet() + " time(s) (hot-plug callbacks " + callbacks.get()
                        + ", reports " + reports.get() + ", strings queue " + enricher.getQueue().size() + ")";
                health = new Health(State.DEGRADED, degraded, 0, 0);
                LOG.log(System.Logger.Level.WARNING, "libusb source DEGRADED: {0}", degraded);
                divergence.reset();
                recreationSlowReported = false;
                recreatingSince = System.nanoTime();
                reinit = true;
            } else if (degraded != null && divergence.differences() == 0 && !reinit) {
                health = new Health(State.RUNNING, "libusb hot-plug; views agree again after: " + degraded, 0, 0);
                LOG.log(System.Logger.Level.INFO, "libusb source RUNNING again: its view agrees with sysfs");
                degraded = null;
            }
        } catch (IOException | RuntimeException e) {
            // no sysfs (or it vanished): nothing to compare with; the next check tries again
        }
    }

    /** A re-creation running longer than this is reported (health detail and one warning). */
    static final long SLOW_RECREATION_SECONDS = 10;

    private void reportSlowRecreation(long since) {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since);
        if (seconds < SLOW_RECREATION_SECONDS) {
            return;
        }
        String why = degraded;
        health = new Health(State.DEGRADED, (why == null ? "libusb context re-created" : why)
                + "; the new context has been starting for " + seconds
                + " s (libusb_init or its enumeration is blocked)", 0, 0);
        if (!recreationSlowReported) {
            recreationSlowReported = true;
            LOG.log(System.Logger.Level.WARNING, "libusb source: re-creating its context has taken {0} s so far "
                    + "(libusb_init or its enumeration is blocked); udev and sysfs still report", seconds);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Health health() {
        Health h = health;
        return new Health(h.state(), h.detail(), restarts.get(), reports.get());
    }

    private void run() {
        long first = Math.max(10, config.restart_backoff_ms());
        Backoff.Sequence delays = Backoff.withoutJitter(first, Math.max(first, 30_000)).sequence();
        while (running) {
            long started = System.nanoTime();
            String failure = session();
            if (!running) {
                break;
            }
            if (System.nanoTime() - started >= TimeUnit.MILLISECONDS.toNanos(delays.backoff().maxMillis())) {
                delays.reset(); // a session as long as the cap counts as healthy: start the back-off over
            }
            if (reinit) {
                reinit = false;
                restarts.incrementAndGet();
                continue; // a new context at once: libusb did not fail, its view went stale
            }
            restarts.incrementAndGet();
            long backoff = delays.next();
            health = new Health(State.RESTARTING, failure + "; retrying in " + backoff + " ms", 0, 0);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
        }
        health = new Health(State.STOPPED, "stopped", 0, 0);
    }

    /** One libusb context from init to exit; returns why it ended when it failed. */
    private String session() {
        Context ctx = new Context();
        int rc;
        try {
            rc = LibUsb.init(ctx);
        } catch (Throwable t) { // UnsatisfiedLinkError / LibUsbException from the native loader
            return "libusb could not be loaded: " + t;
        }
        if (rc != LibUsb.SUCCESS) {
            return "libusb_init failed: " + LibUsb.errorName(rc);
        }
        HotplugCallbackHandle handle = new HotplugCallbackHandle();
        try {
            if (!LibUsb.hasCapability(LibUsb.CAP_HAS_HOTPLUG)) {
                return "this libusb has no hot-plug support";
            }
            HotplugCallback cb = (c, device, event, data) -> {
                onHotplug(device, event == LibUsb.HOTPLUG_EVENT_DEVICE_ARRIVED);
                return 0; // keep the callback registered
            };
            enumerated = new HashSet<>();
            rc = LibUsb.hotplugRegisterCallback(ctx,
                    LibUsb.HOTPLUG_EVENT_DEVICE_ARRIVED | LibUsb.HOTPLUG_EVENT_DEVICE_LEFT, LibUsb.HOTPLUG_ENUMERATE,
                    LibUsb.HOTPLUG_MATCH_ANY, LibUsb.HOTPLUG_MATCH_ANY, LibUsb.HOTPLUG_MATCH_ANY, cb, null, handle);
            Set<String> present = enumerated;
            enumerated = null;
            if (rc != LibUsb.SUCCESS) {
                return "hot-plug registration failed: " + LibUsb.errorName(rc);
            }
            // what an earlier context reported attached and this one did not find has gone meanwhile
            boolean again = restarts.get() > 0;
            long asked = recreatingSince;
            long tookMillis = asked == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
            if (asked != 0) {
                recreatingSince = 0;
                recreated = true;
                if (degraded != null) {
                    health = new Health(State.DEGRADED, degraded + "; new context up in " + tookMillis + " ms", 0, 0);
                }
            }
            enricher.execute(() -> {
                int gone = 0;
                for (String port : Set.copyOf(attached.keySet())) {
                    if (!present.contains(port)) {
                        emit(UsbAction.DETACH, attached.remove(port));
                        gone++;
                    }
                }
                if (again) {
                    LOG.log(System.Logger.Level.INFO, "libusb context re-created{3}: {0} device(s) enumerated {1}, "
                            + "{2} reported gone", present.size(), new java.util.TreeSet<>(present), gone,
                            tookMillis < 0 ? "" : " in " + tookMillis + " ms");
                }
            });
            if (degraded == null) {
                health = new Health(State.RUNNING, "libusb " + LibUsb.getVersion().major() + "."
                        + LibUsb.getVersion().minor() + "." + LibUsb.getVersion().micro() + " hot-plug", 0, 0);
            }
            long timeoutUs = TimeUnit.MILLISECONDS.toMicros(Math.max(10, config.event_timeout_ms()));
            while (running && !reinit) {
                rc = LibUsb.handleEventsTimeoutCompleted(ctx, timeoutUs, null);
                if (rc != LibUsb.SUCCESS && rc != LibUsb.ERROR_INTERRUPTED) {
                    return "event handling failed: " + LibUsb.errorName(rc);
                }
            }
            LibUsb.hotplugDeregisterCallback(ctx, handle);
            return "stopped";
        } finally {
            LibUsb.exit(ctx);
        }
    }

    private void onHotplug(Device device, boolean arrived) {
        callbacks.incrementAndGet();
        DeviceDescriptor d = new DeviceDescriptor();
        if (LibUsb.getDeviceDescriptor(device, d) != LibUsb.SUCCESS) {
            return;
        }
        int bus = LibUsb.getBusNumber(device);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(8); // JNI needs a direct buffer
        int count = LibUsb.getPortNumbers(device, buf);
        byte[] ports = new byte[8];
        buf.get(0, ports);
        String port = Descriptors.portPath(bus, ports, count);
        if (count <= 0) {
            return; // root hubs are the host controller, not a plugged device
        }
        if (enumerated != null) {
            enumerated.add(port);
        }
        UsbDevice basic = basic(d, device, bus, port, null, null, null);
        if (!arrived) {
            enricher.execute(() -> {
                UsbDevice known = attached.remove(port);
                emit(UsbAction.DETACH, known != null ? known : remembered(basic));
            });
            return;
        }
        if (!config.read_strings()) {
            enricher.execute(() -> {
                attached.put(port, basic);
                emit(UsbAction.ATTACH, basic);
            });
            return;
        }
        LibUsb.refDevice(device);
        enricher.execute(() -> {
            try {
                UsbDevice full = withStrings(device, d, basic);
                attached.put(port, full);
                lastSeen.put(port, full);
                emit(UsbAction.ATTACH, full);
            } finally {
                LibUsb.unrefDevice(device);
            }
        });
    }

    /**
     * {@code basic} with the strings last seen on its port when the descriptor is the same: a device that flapped
     * away before its strings were read is, with overwhelming likelihood, the one that was just there.
     */
    private UsbDevice remembered(UsbDevice basic) {
        UsbDevice last = lastSeen.get(basic.portPath()).orElse(null);
        if (last == null || !sameDescriptor(last, basic)) {
            return basic;
        }
        return new UsbDevice(basic.vendorId(), basic.productId(), last.serial(), last.manufacturer(), last.product(),
                basic.deviceClass(), basic.deviceSubclass(), basic.deviceProtocol(), basic.interfaceClasses(),
                basic.bcdDevice(), basic.busNumber(), basic.deviceAddress(), basic.portPath(), null);
    }

    private static boolean sameDescriptor(UsbDevice a, UsbDevice b) {
        return a.vendorId() == b.vendorId() && a.productId() == b.productId() && a.bcdDevice() == b.bcdDevice()
                && a.deviceClass() == b.deviceClass() && a.deviceSubclass() == b.deviceSubclass()
                && a.deviceProtocol() == b.deviceProtocol();
    }

    private UsbDevice basic(DeviceDescriptor d, Device device, int bus, String port, String serial, String manufacturer,
            String product) {
        byte[] classes = new byte[0];
        ConfigDescriptor cfg = new ConfigDescriptor();
        if (LibUsb.getActiveConfigDescriptor(device, cfg) == LibUsb.SUCCESS
                || LibUsb.getConfigDescriptor(device, (byte) 0, cfg) == LibUsb.SUCCESS) {
            try {
                var ifaces = cfg.iface();
                classes = new byte[ifaces.length];
                for (int i = 0; i < ifaces.length; i++) {
                    var alts = ifaces[i].altsetting();
                    classes[i] = alts.length > 0 ? alts[0].bInterfaceClass() : 0;
                }
            } finally {
                LibUsb.freeConfigDescriptor(cfg);
            }
        }
        return new UsbDevice(Descriptors.u16(d.idVendor()), Descriptors.u16(d.idProduct()), serial, manufacturer, product,
                Descriptors.u8(d.bDeviceClass()), Descriptors.u8(d.bDeviceSubClass()), Descriptors.u8(d.bDeviceProtocol()),
                Descriptors.interfaceClasses(classes), Descriptors.u16(d.bcdDevice()), bus,
                LibUsb.getDeviceAddress(device), port, null);
    }

    /**
     * The device's strings: from sysfs when the device is there (the kernel's copy), else by opening the device
     * (without permission they stay null), else those last seen on the port for the same descriptor.
     */
    private UsbDevice withStrings(Device device, DeviceDescriptor d, UsbDevice basic) {
        String id = basic.vendorHex() + ":" + basic.productHex();
        if (id.equals(kernel.id(basic.portPath()))) {
            KernelView.Strings s = kernel.strings(basic.portPath());
            if (id.equals(kernel.id(basic.portPath()))) { // still there: it did not leave while we read
                return new UsbDevice(basic.vendorId(), basic.productId(), s.serial(), s.manufacturer(), s.product(),
                        basic.deviceClass(), basic.deviceSubclass(), basic.deviceProtocol(), basic.interfaceClasses(),
                        basic.bcdDevice(), basic.busNumber(), basic.deviceAddress(), basic.portPath(), null);
            }
        }
        if (kernel.available()) {
            return remembered(basic); // gone from the kernel already: opening it would fail too
        }
        DeviceHandle h = new DeviceHandle();
        if (LibUsb.open(device, h) != LibUsb.SUCCESS) {
            return remembered(basic);
        }
        try {
            String serial = d.iSerialNumber() == 0 ? null : Descriptors.clean(LibUsb.getStringDescriptor(h, d.iSerialNumber()));
            String manufacturer = d.iManufacturer() == 0 ? null
                    : Descriptors.clean(LibUsb.getStringDescriptor(h, d.iManufacturer()));
            String product = d.iProduct() == 0 ? null : Descriptors.clean(LibUsb.getStringDescriptor(h, d.iProduct()));
            return new UsbDevice(basic.vendorId(), basic.productId(), serial, manufacturer, product, basic.deviceClass(),
                    basic.deviceSubclass(), basic.deviceProtocol(), basic.interfaceClasses(), basic.bcdDevice(),
                    basic.busNumber(), basic.deviceAddress(), basic.portPath(), null);
        } catch (RuntimeException e) {
            return basic; // a device that stalls a string request keeps its numeric identity
        } finally {
            LibUsb.close(h);
        }
    }

    private void emit(UsbAction action, UsbDevice device) {
        reports.incrementAndGet();
        sink.report(DeviceReport.now(NAME, action, device));
    }
}
