package io.autoweave.launcher;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

import org.osgi.framework.FrameworkEvent;

/**
 * {@code java -jar autoweave.jar}: starts the runtime, runs until the framework stops ({@code stop 0} in the
 * shell) or the process gets SIGTERM/SIGINT, then shuts down cleanly. Exit codes: 0 clean stop, 1 start failure,
 * 2 bad options, 3 unsupported Java.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        LaunchConfig config;
        try {
            if (java.util.List.of(args).contains("--help")) {
                out.println(LaunchConfig.usage());
                return;
            }
            config = LaunchConfig.parse(args, System.getenv(), System.console() != null);
        } catch (IllegalArgumentException e) {
            System.err.println("autoweave: " + e.getMessage());
            System.err.println(LaunchConfig.usage());
            System.exit(2);
            return;
        }
        Launcher launcher = new Launcher(config, out);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                launcher.log("stopping (signal received)");
                long t = System.nanoTime();
                boolean clean = launcher.stop(30_000);
                launcher.log(clean ? "stopped cleanly in " + (System.nanoTime() - t) / 1_000_000 + " ms"
                        : "stop timed out after 30 s");
                stopped.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "autoweave-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            launcher.start();
        } catch (LaunchException e) {
            System.err.println("autoweave: cannot start: " + e.getMessage());
            removeHook(hook);
            System.exit(1);
            return;
        }
        FrameworkEvent ev = launcher.framework().waitForStop(0);
        if (removeHook(hook)) {
            // stopped from inside (shell 'stop 0'), not by a signal
            launcher.log("stopped" + (ev.getType() == FrameworkEvent.ERROR ? " with error: " + ev.getThrowable() : ""));
            System.exit(ev.getType() == FrameworkEvent.ERROR ? 1 : 0);
        }
        stopped.await();
    }

    private static boolean removeHook(Thread hook) {
        try {
            return Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return false; // shutdown already in progress
        }
    }
}
