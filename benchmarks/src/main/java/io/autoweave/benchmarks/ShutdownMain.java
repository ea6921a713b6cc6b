package io.autoweave.benchmarks;

import java.util.function.LongConsumer;

import io.autoweave.launcher.LaunchConfig;
import io.autoweave.launcher.Launcher;

/**
 * Child process of the shutdown scenario: the production {@link Launcher} with the options of
 * {@code java -jar autoweave.jar}, stopped on SIGTERM by a shutdown hook exactly as {@code io.autoweave.launcher.Main}
 * does. Once ready it reports a burst of {@code aw.bench.burst} simulated events through the pipeline, prints
 * {@code BENCH-SENT n} and waits: the Suite sends SIGTERM at once, with the events still in flight.
 */
public final class ShutdownMain {
    private ShutdownMain() {
    }

    public static void main(String[] args) throws Exception {
        int burst = Integer.getInteger("aw.bench.burst", 500);
        Launcher launcher = new Launcher(LaunchConfig.parse(args, System.getenv(), false), System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                long t = System.nanoTime();
                boolean clean = launcher.stop(30_000);
                System.out.println("[bench] stopped " + (clean ? "cleanly" : "NOT cleanly") + " in "
                        + (System.nanoTime() - t) / 1_000_000 + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-shutdown"));
        launcher.start();
        LongConsumer send = Workload.reporting(InProcessRuntime.reportProbe(launcher.framework().getBundleContext()));
        for (long n = 0; n < burst; n++) {
            send.accept(n);
        }
        System.out.println("BENCH-SENT " + burst);
        System.out.flush();
        launcher.framework().waitForStop(0);
    }
}
