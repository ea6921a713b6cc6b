package io.autoweave.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A child process whose output lines are collected; always ended by {@link #close()}. */
final class Proc implements AutoCloseable {
    final Process process;
    final long startNanos;
    private final List<String> lines = new ArrayList<>();
    private final List<Long> lineNanos = new ArrayList<>();

    Proc(List<String> command, Path workDir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().remove("AUTOWEAVE_ADMIN_PASSWORD");
        startNanos = System.nanoTime();
        process = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    long t = System.nanoTime();
                    synchronized (lines) {
                        lines.add(line);
                        lineNanos.add(t);
                        lines.notifyAll();
                    }
                }
            } catch (IOException e) {
                // process ended
            }
        }, "bench-proc-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /**
     * Waits for a line matching {@code match}; returns the nanoTime it was read at, or -1 when the process ended or
     * {@code timeoutMillis} passed first.
     */
    long await(Predicate<String> match, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (lines) {
            int i = 0;
            while (true) {
                for (; i < lines.size(); i++) {
                    if (match.test(lines.get(i))) {
                        return lineNanos.get(i);
                    }
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0 || (!process.isAlive() && i >= lines.size())) {
                    return -1;
                }
                lines.wait(Math.min(left, 50));
            }
        }
    }

    /** SIGTERM, then waits; returns nanoseconds from the signal to the exit, or -1 if it did not exit in time. */
    long terminate(long timeoutMillis) throws InterruptedException {
        long t0 = System.nanoTime();
        process.toHandle().destroy();
        if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            return -1;
        }
        return System.nanoTime() - t0;
    }

    boolean waitFor(long timeoutMillis) throws InterruptedException {
        return process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
