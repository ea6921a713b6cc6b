package io.autoweave.pluginhost.probe;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * Plugins for the host tests, one behaviour per bundle, chosen by the last segment of the symbolic name
 * ({@code host.probe.<behaviour>}). {@code polite} prints {@code got EVENT_ID} for every event; the others misbehave
 * in {@code start()} and print {@code outcome: ...} when they survive it. Packed as this one class: no lambdas, no
 * nested classes.
 */
public class HostProbeActivator implements BundleActivator, UsbEventListener, Runnable {
    private volatile String behaviour;
    private volatile BundleContext context;

    @Override
    public void start(BundleContext ctx) throws Exception {
        context = ctx;
        String bsn = ctx.getBundle().getSymbolicName();
        behaviour = bsn.substring(bsn.lastIndexOf('.') + 1);
        Hashtable<String, Object> props = new Hashtable<>();
        ctx.registerService(UsbEventListener.class, this, props);
        String outcome;
        try {
            outcome = behave(ctx);
        } catch (Throwable e) {
            outcome = "refused: " + e;
        }
        System.out.println("outcome: " + outcome);
    }

    private String behave(BundleContext ctx) throws Exception {
        switch (behaviour) {
            case "polite":
                return "polite";
            case "exit":
                System.exit(7);
                return "survived exit";
            case "halt":
                Runtime.getRuntime().halt(9);
                return "survived halt";
            case "oom":
                List<byte[]> hog = new ArrayList<>();
                while (true) {
                    hog.add(new byte[1 << 20]);
                }
            case "threads":
                int n = 0;
                try {
                    for (; n < 100_000; n++) {
                        Thread t = new Thread(this, "flood-" + n);
                        t.setDaemon(true);
                        t.start();
                    }
                } catch (Throwable e) {
                    return "threads stopped at " + n + ": " + e;
                }
                return "started " + n + " threads";
            case "cpu":
                for (int i = 0; i < 4; i++) {
                    Thread t = new Thread(this, "burn-" + i);
                    t.setDaemon(true);
                    t.start();
                }
                return "burning";
            case "hang":
                while (true) {
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        // ignored on purpose
                    }
                }
            case "interrupt":
                int k = 0;
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t != Thread.currentThread()) {
                        t.interrupt();
                        k++;
                    }
                }
                return "interrupted " + k;
            case "stack":
                Thread deep = new Thread(null, this, "deep", 1L << 30);
                deep.start();
                deep.join();
                return "deep recursion ended";
            case "flood":
                for (int i = 0; i < 1_000_000; i++) {
                    System.out.println("flood " + i);
                }
                return "flooded";
            case "shadow":
                return "read " + Files.readAllBytes(Path.of("/etc/shadow")).length + " bytes of /etc/shadow";
            case "exec":
                Process p = new ProcessBuilder("/bin/sh", "-c", "id").start();
                return "exec ran, exit " + p.waitFor();
            case "execjava":
                Process q = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-version").start();
                return "exec java ran, exit " + q.waitFor();
            case "socket":
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", Integer.getInteger("probe.port", 22)), 1000);
                }
                return "connected";
            case "symlink":
                Path data = ctx.getDataFile("").toPath();
                Path link = data.resolve("escape");
                Files.deleteIfExists(link);
                Files.createSymbolicLink(link, Path.of("/root"));
                File[] listed = link.toFile().listFiles();
                return listed == null ? "symlink leads nowhere" : "listed " + listed.length + " entries of /root";
            case "facts":
                // what the kernel says about this process: the evidence of each confinement layer
                String status = Files.readString(Path.of("/proc/self/status"));
                String limits = Files.readString(Path.of("/proc/self/limits"));
                String[] stat = Files.readString(Path.of("/proc/self/stat")).split("\\) ")[1].split(" ");
                return "facts " + field(status, "NoNewPrivs:") + "|" + field(status, "CapEff:") + "|"
                        + field(status, "Uid:") + "|" + field(limits, "Max open files") + "|"
                        + field(limits, "Max core file size") + "|nice " + stat[16] + "|"
                        + Files.readString(Path.of("/proc/self/cgroup")).replace('\n', ' ') + "|net "
                        + Files.readString(Path.of("/proc/net/dev")).lines().skip(2).map(String::trim)
                                .map(l -> l.substring(0, l.indexOf(':'))).toList();
            case "rawflood":
                // past System.out, straight to the process's file descriptor 1
                java.io.FileOutputStream fd1 = new java.io.FileOutputStream(java.io.FileDescriptor.out);
                byte[] mb = new byte[1 << 20];
                java.util.Arrays.fill(mb, (byte) 'x');
                for (int i = 0; i < 20; i++) {
                    fd1.write(mb);
                }
                return "raw flooded 20 MiB";
            case "stuck":
                return "will hang in onEvent";
            case "disk":
                // fill its data directory, 8 MiB files one after another, until something stops it
                Path dir = ctx.getDataFile("").toPath();
                byte[] chunk = new byte[1 << 20];
                long written = 0;
                try {
                    for (int f = 0; ; f++) {
                        try (java.io.OutputStream o = Files.newOutputStream(dir.resolve("fill-" + f))) {
                            for (int i = 0; i < 8; i++) {
                                o.write(chunk);
                                written += chunk.length;
                            }
                        }
                    }
                } catch (java.io.IOException e) {
                    return "disk stopped at " + (written >> 20) + " MiB: " + e;
                }
            default:
                return "unknown " + behaviour;
        }
    }

    @Override
    public void run() {
        if ("cpu".equals(behaviour)) {
            long x = 0;
            while (true) {
                x += System.nanoTime() % 7;
                if (x == 42) {
                    System.out.println(x);
                }
            }
        }
        if ("stack".equals(behaviour)) {
            recurse(0);
            return;
        }
        try {
            Thread.sleep(600_000);
        } catch (InterruptedException e) {
            // ends
        }
    }

    private long recurse(long depth) {
        return depth > Long.MAX_VALUE - 1 ? depth : recurse(depth + 1) + 1;
    }

    @Override
    public void stop(BundleContext ctx) throws java.io.IOException {
        // evidence that a stopped host stopped its framework instead of being killed
        Files.writeString(ctx.getDataFile("stopped").toPath(), "stopped");
    }

    private static String field(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name)) {
                return line.replaceAll("\\s+", " ").trim();
            }
        }
        return name + " ?";
    }

    @Override
    public void onEvent(UsbEvent event) {
        while ("stuck".equals(behaviour)) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // ignored on purpose
            }
        }
        System.out.println("got " + event.eventId());
    }
}
