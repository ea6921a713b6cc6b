import java.util.concurrent.ConcurrentLinkedQueue;
import org.usb4java.*;

/**
 * Standalone libusb hot-plug probe (usb4java 1.3.0). Prints one line per event:
 *   <mono-seconds> ARRIVED|LEFT bus=B addr=A port=P vid=xxxx pid=xxxx [mfr=.. product=.. serial=..]
 * mono-seconds is System.nanoTime()/1e9, i.e. CLOCK_MONOTONIC, the clock udevadm monitor stamps with.
 */
public class HotplugProbe {
    record Ev(long t, boolean arrived, Device dev, int bus, int addr, String port, short vid, short pid,
              byte iMfr, byte iProd, byte iSer) {}

    static final ConcurrentLinkedQueue<Ev> queue = new ConcurrentLinkedQueue<>();

    static void out(String s) { System.out.println(String.format("%.6f ", System.nanoTime() / 1e9) + s); System.out.flush(); }

    public static void main(String[] args) {
        long runSeconds = args.length > 0 ? Long.parseLong(args[0]) : 3600;
        long t0 = System.nanoTime();
        Context ctx = new Context();
        int r = LibUsb.init(ctx);
        Version v = LibUsb.getVersion();
        out("INIT rc=" + r + " libusb=" + v.major() + "." + v.minor() + "." + v.micro() + "." + v.nano()
            + " init_ms=" + (System.nanoTime() - t0) / 1_000_000);
        if (r != LibUsb.SUCCESS) { out("INIT FAILED " + LibUsb.errorName(r)); System.exit(1); }
        boolean hp = LibUsb.hasCapability(LibUsb.CAP_HAS_HOTPLUG);
        out("CAP_HAS_HOTPLUG=" + hp);
        HotplugCallback cb = (c, device, event, userData) -> {
            DeviceDescriptor d = new DeviceDescriptor();
            int rr = LibUsb.getDeviceDescriptor(device, d);
            java.nio.ByteBuffer path = BufferUtils.allocateByteBuffer(8);
            int n = LibUsb.getPortNumbers(device, path);
            StringBuilder p = new StringBuilder();
            for (int i = 0; i < n; i++) p.append(i == 0 ? "" : ".").append(path.get(i) & 0xff);
            boolean arrived = event == LibUsb.HOTPLUG_EVENT_DEVICE_ARRIVED;
            LibUsb.refDevice(device);
            queue.add(new Ev(System.nanoTime(), arrived, device, LibUsb.getBusNumber(device), LibUsb.getDeviceAddress(device),
                    p.toString(), rr == 0 ? d.idVendor() : 0, rr == 0 ? d.idProduct() : 0,
                    d.iManufacturer(), d.iProduct(), d.iSerialNumber()));
            return 0;
        };
        HotplugCallbackHandle handle = new HotplugCallbackHandle();
        r = LibUsb.hotplugRegisterCallback(ctx,
                LibUsb.HOTPLUG_EVENT_DEVICE_ARRIVED | LibUsb.HOTPLUG_EVENT_DEVICE_LEFT,
                LibUsb.HOTPLUG_ENUMERATE, LibUsb.HOTPLUG_MATCH_ANY, LibUsb.HOTPLUG_MATCH_ANY,
                LibUsb.HOTPLUG_MATCH_ANY, cb, null, handle);
        out("REGISTER rc=" + r);
        out("READY");
        long end = System.nanoTime() + runSeconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            LibUsb.handleEventsTimeout(ctx, 250_000);
            Ev e;
            while ((e = queue.poll()) != null) {
                StringBuilder sb = new StringBuilder();
                sb.append(String.format("%.6f %s bus=%d addr=%d port=%s vid=%04x pid=%04x",
                        e.t() / 1e9, e.arrived() ? "ARRIVED" : "LEFT", e.bus(), e.addr(), e.port(),
                        e.vid() & 0xffff, e.pid() & 0xffff));
                if (e.arrived()) {
                    DeviceHandle h = new DeviceHandle();
                    int or = LibUsb.open(e.dev(), h);
                    if (or == LibUsb.SUCCESS) {
                        sb.append(" mfr=").append(str(h, e.iMfr()))
                          .append(" product=").append(str(h, e.iProd()))
                          .append(" serial=").append(str(h, e.iSer()));
                        LibUsb.close(h);
                    } else {
                        sb.append(" open=").append(LibUsb.errorName(or));
                    }
                }
                LibUsb.unrefDevice(e.dev());
                System.out.println(sb); System.out.flush();
            }
        }
        LibUsb.hotplugDeregisterCallback(ctx, handle);
        LibUsb.exit(ctx);
        out("EXIT");
    }

    static String str(DeviceHandle h, byte idx) {
        if (idx == 0) return "-";
        String s = LibUsb.getStringDescriptor(h, idx);
        return s == null ? "?" : "\"" + s + "\"";
    }
}
