package io.autoweave.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Collects a child process's output line by line on a daemon thread, for tests that read it while it runs. */
final class ProcessOutput {
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private ProcessOutput(Process process) {
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException e) {
                // process ended
            }
        }, "itest-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static ProcessOutput collect(Process process) {
        return new ProcessOutput(process);
    }

    /** The lines so far, as one text. */
    String text() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** A copy of the lines so far. */
    List<String> snapshot() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /** Waits until the process's output is fully read (its last lines are still in the pipe when it has ended). */
    void awaitEnd(long millis) throws InterruptedException {
        reader.join(millis);
    }
}
