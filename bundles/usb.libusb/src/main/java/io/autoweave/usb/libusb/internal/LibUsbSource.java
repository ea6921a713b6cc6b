package io.autoweave.usb.libusb.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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

/**
 * libusb hot-plug. One thread runs libusb's event loop; the hot-plug callback only copies what libusb already
 * knows (descriptors need no I/O) and hands the device to a second thread that opens it for its strings, so
 * a slow or unopenable device never stalls the event loop. {@code HOTPLUG_ENUMERATE} reports devices present
 * at start. When libusb fails, the loop restarts with back-off and the health shows why.
 */
@Component(service = UsbSource.class, configurationPid = "io.autoweave.usb.libusb",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = LibUsbConfig.class)
public final class LibUsbSource implements UsbSource {
    static final String NAME = "libusb";

    private final DeviceReportSink sink;
    private final LibUsbConfig config;
    private final ExecutorService enricher = Executors.newSingleThreadExecutor(r -> new Thread(r, "autoweave-libusb-strings"));
    /** What each port held at attach, so a detach (when strings can no longer be read) carries the same identity. */
    private final Map<String, UsbDevice> attached = new ConcurrentHashMap<>();
    private final AtomicLong reports = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private volatile Health health = new Health(State.STARTING, "starting", 0, 0);
    private volatile boolean running = true;
    private final Thread loop;

    @Activate
    public LibUsbSource(@Reference DeviceReportSink sink, LibUsbConfig config) {
        this.sink = sink;
        this.config = config;
        this.loop = new Thread(this::run, "autoweave-libusb-events");
        this.loop.setDaemon(true);
        if (config.enabled()) {
            loop.start();
        } else {
            health = new Health(State.STOPPED, "disabled by configuration", 0, 0);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        loop.join(TimeUnit.SECONDS.toMillis(5));
        enricher.shutdownNow();
        enricher.awaitTermination(5, TimeUnit.SECONDS);
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
        long backoff = Math.max(10, config.restart_backoff_ms());
        while (running) {
            String failure = session();
            if (!running) {
                break;
            }
            restarts.incrementAndGet();
            health = new Health(State.RESTARTING, failure + "; retrying in " + backoff + " ms", 0, 0);
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                return;
            }
            backoff = Math.min(30_000, backoff * 2);
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
            rc = LibUsb.hotplugRegisterCallback(ctx,
                    LibUsb.HOTPLUG_EVENT_DEVICE_ARRIVED | LibUsb.HOTPLUG_EVENT_DEVICE_LEFT, LibUsb.HOTPLUG_ENUMERATE,
                    LibUsb.HOTPLUG_MATCH_ANY, LibUsb.HOTPLUG_MATCH_ANY, LibUsb.HOTPLUG_MATCH_ANY, cb, null, handle);
            if (rc != LibUsb.SUCCESS) {
                return "hot-plug registration failed: " + LibUsb.errorName(rc);
            }
            health = new Health(State.RUNNING, "libusb " + LibUsb.getVersion().major() + "." + LibUsb.getVersion().minor()
                    + "." + LibUsb.getVersion().micro() + " hot-plug", 0, 0);
            long timeoutUs = TimeUnit.MILLISECONDS.toMicros(Math.max(10, config.event_timeout_ms()));
            while (running) {
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
        if (!arrived) {
            UsbDevice known = attached.remove(port);
            UsbDevice gone = known != null ? known : basic(d, device, bus, port, null, null, null);
            enricher.execute(() -> emit(UsbAction.DETACH, gone));
            return;
        }
        UsbDevice basic = basic(d, device, bus, port, null, null, null);
        if (!config.read_strings()) {
            attached.put(port, basic);
            enricher.execute(() -> emit(UsbAction.ATTACH, basic));
            return;
        }
        LibUsb.refDevice(device);
        enricher.execute(() -> {
            try {
                UsbDevice full = withStrings(device, d, basic);
                attached.put(port, full);
                emit(UsbAction.ATTACH, full);
            } finally {
                LibUsb.unrefDevice(device);
            }
        });
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

    /** Opens the device for its string descriptors; without permission the strings stay null. */
    private UsbDevice withStrings(Device device, DeviceDescriptor d, UsbDevice basic) {
        DeviceHandle h = new DeviceHandle();
        if (LibUsb.open(device, h) != LibUsb.SUCCESS) {
            return basic;
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
