package io.autoweave.pluginhost.child;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.URL;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Manifest;

import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import io.autoweave.pluginhost.channel.ChannelStreams;
import io.autoweave.pluginhost.channel.EventFields;
import io.autoweave.pluginhost.channel.Frames;

/**
 * The plugin host: the child JVM's main. It connects to the supervisor's unix socket, boots a minimal Felix (no
 * security: the operating system confines this process), with the API packages exported by the system bundle (so
 * the host and the plugin share {@link UsbEvent}), the extra bundles it is given (DS and its dependencies) and the
 * plugin, then delivers every {@code event} frame to the plugin's {@link UsbEventListener} services and acknowledges
 * it. It sends a heartbeat every {@value #HEARTBEAT_MILLIS} ms and the plugin's console lines as {@code log} frames
 * (at most {@code LOG_LINES_PER_SECOND} a second; the rest is counted in the heartbeat).
 *
 * <p>Arguments: {@code SOCKET DATA_DIR PLUGIN_JAR BUNDLE_JAR,... LOG_LINES_PER_SECOND} (the bundle list may be
 * empty).
 */
public final class HostMain {
    static final int HEARTBEAT_MILLIS = 500;

    private final DataOutputStream out;
    private final int logLinesPerSecond;
    private long logWindow;
    private int logLines;
    private long logDropped;

    private HostMain(DataOutputStream out, int logLinesPerSecond) {
        this.out = out;
        this.logLinesPerSecond = logLinesPerSecond;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: HostMain SOCKET DATA_DIR PLUGIN_JAR BUNDLE_JAR,... LOG_LINES_PER_SECOND");
            System.exit(2);
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(args[0]));
        DataInputStream in = Frames.input(ChannelStreams.in(ch));
        HostMain host = new HostMain(Frames.output(ChannelStreams.out(ch)), Integer.parseInt(args[4]));
        PrintStream console = new PrintStream(host.lines("out"), true, StandardCharsets.UTF_8);
        System.setOut(console);
        System.setErr(new PrintStream(host.lines("err"), true, StandardCharsets.UTF_8));
        BundleContext ctx;
        Bundle plugin;
        try {
            Felix fw = new Felix(frameworkProperties(Path.of(args[1])));
            fw.init();
            ctx = fw.getBundleContext();
            List<Bundle> extra = new ArrayList<>();
            if (!args[3].isBlank()) {
                for (String jar : args[3].split(",")) {
                    extra.add(install(ctx, Path.of(jar)));
                }
            }
            plugin = install(ctx, Path.of(args[2]));
            fw.start();
            for (Bundle b : extra) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                    b.start();
                }
            }
            plugin.start();
        } catch (Exception | LinkageError e) {
            host.send(Frames.of("failed", "reason", String.valueOf(e)));
            System.exit(4); // not 3: -XX:+ExitOnOutOfMemoryError exits with 3
            return;
        }
        host.send(Frames.of("ready", "plugin", plugin.getSymbolicName(), "version", plugin.getVersion().toString()));
        Thread hb = new Thread(host::heartbeats, "autoweave-host-heartbeat");
        hb.setDaemon(true);
        hb.start();
        host.serve(in, ctx);
    }

    private static Bundle install(BundleContext ctx, Path jar) throws Exception {
        try (InputStream in = Files.newInputStream(jar)) {
            return ctx.installBundle("host:" + jar.getFileName(), in);
        }
    }

    static Map<String, Object> frameworkProperties(Path data) throws IOException {
        Map<String, Object> p = new HashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, data.resolve("cache").toString());
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        p.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, apiExports());
        p.put("felix.log.level", "1");
        return p;
    }

    /** The API bundle's Export-Package, exported by the system bundle so host and plugin share the API classes. */
    static String apiExports() throws IOException {
        Enumeration<URL> manifests = UsbEvent.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
        while (manifests.hasMoreElements()) {
            try (InputStream in = manifests.nextElement().openStream()) {
                Manifest mf = new Manifest(in);
                String bsn = mf.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
                if (bsn != null && bsn.startsWith("io.autoweave.api")) {
                    return mf.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
                }
            }
        }
        throw new IOException("the AutoWeave API bundle is not on the host's class path");
    }

    private void serve(DataInputStream in, BundleContext ctx) throws Exception {
        while (true) {
            Map<String, Object> f;
            try {
                f = Frames.read(in);
            } catch (EOFException e) {
                stopFramework(ctx); // the supervisor closed the channel (the plugin is stopped) or went away
                System.exit(0);
                return;
            }
            switch ((String) f.get("t")) {
                case "event":
                    UsbEvent e = EventFields.parse(f.get("event"));
                    deliver(ctx, e);
                    send(Frames.of("ack", "seq", f.get("seq")));
                    break;
                case "stop":
                    stopFramework(ctx);
                    System.exit(0);
                    return;
                default:
                    break; // a newer runtime's message: ignored
            }
        }
    }

    /** Stops the framework, so the plugin's {@code stop()} runs; bounded: the supervisor kills a host that lingers. */
    private static void stopFramework(BundleContext ctx) {
        try {
            org.osgi.framework.launch.Framework fw = (org.osgi.framework.launch.Framework) ctx.getBundle(0);
            fw.stop();
            fw.waitForStop(2_000);
        } catch (Exception e) {
            System.err.println("framework stop: " + e);
        }
    }

    private static void deliver(BundleContext ctx, UsbEvent e) throws Exception {
        ServiceReference<?>[] refs = ctx.getAllServiceReferences(UsbEventListener.class.getName(), null);
        if (refs == null) {
            return;
        }
        Map<String, Object> props = properties(e);
        for (ServiceReference<?> r : refs) {
            Object f = r.getProperty(UsbEventListener.FILTER);
            if (f instanceof String && !((String) f).isBlank()) {
                Filter filter = FrameworkUtil.createFilter((String) f);
                if (!filter.matches(props)) {
                    continue;
                }
            }
            UsbEventListener l = (UsbEventListener) ctx.getService(r);
            if (l == null) {
                continue;
            }
            try {
                l.onEvent(e);
            } catch (RuntimeException x) {
                System.err.println("listener " + l + " failed: " + x);
            } finally {
                ctx.ungetService(r);
            }
        }
    }

    /** The properties a listener filter is matched against (the pipeline's names). */
    static Map<String, Object> properties(UsbEvent e) {
        Map<String, Object> p = new HashMap<>();
        p.put("action", e.action().name().toLowerCase(Locale.ROOT));
        p.put("vendor_id", String.format("%04x", e.device().vendorId()));
        p.put("product_id", String.format("%04x", e.device().productId()));
        p.put("device_class", e.device().deviceClass());
        if (e.device().serial() != null) {
            p.put("serial", e.device().serial());
        }
        return p;
    }

    private void heartbeats() {
        var threads = ManagementFactory.getThreadMXBean();
        while (true) {
            Runtime rt = Runtime.getRuntime();
            long dropped;
            synchronized (this) {
                dropped = logDropped;
            }
            try {
                send(Frames.of("hb", "heap", rt.totalMemory() - rt.freeMemory(), "threads", threads.getThreadCount(),
                        "logDropped", dropped));
                Thread.sleep(HEARTBEAT_MILLIS);
            } catch (IOException e) {
                // the supervisor closed the channel or went away: serve() reads the end of the stream and stops the
                // framework, so the plugin's stop() runs, then exits. Exiting here at once raced it (stop() was
                // skipped); this thread ends the host only if serve() has not in time (a plugin stuck in onEvent).
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (System.nanoTime() - until < 0) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException again) {
                        // keep waiting: only the time bound ends this
                    }
                }
                System.exit(0);
            } catch (InterruptedException e) {
                // a plugin interrupted us: keep beating
            }
        }
    }

    synchronized void send(Map<String, Object> frame) throws IOException {
        Frames.write(out, frame);
    }

    /** Console output as {@code log} frames, one per line, rate-limited. */
    private OutputStream lines(String stream) {
        return new OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public synchronized void write(int b) throws IOException {
                if (b == '\n') {
                    emit(stream, line.toString());
                    line.setLength(0);
                } else if (line.length() < 4096) {
                    line.append((char) (b & 0xff));
                }
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }
        };
    }

    private void emit(String stream, String text) throws IOException {
        long second = System.nanoTime() / 1_000_000_000L;
        synchronized (this) {
            if (second != logWindow) {
                logWindow = second;
                logLines = 0;
            }
            if (++logLines > logLinesPerSecond) {
                logDropped++;
                return;
            }
        }
        send(Frames.of("log", "stream", stream, "line", text));
    }
}
