package io.autoweave.launcher;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a start spends its time: named marks in milliseconds since the JVM started (the JVM's own start up to
 * {@code main} is the first step). Written to {@code DATA/start-timeline.json} once the runtime is ready, so
 * benchmarks and operators can read it, and printed as one line when start-up debugging is on.
 *
 * <p>Steps: {@code jvm} (to the launcher), {@code framework-init} (Felix init and the security extension),
 * {@code policy} (the CPA rows), {@code bundle-installs}, {@code scr} (the Felix SCR bundle active), {@code http}
 * (the HTTP runtime service registered: Jetty listening), {@code start-level} (every core bundle active),
 * {@code ready} (/health/ready answered 200).
 */
final class StartTimeline {
    /** The file under the data directory. */
    static final String FILE = "start-timeline.json";

    private record Mark(String step, long atMillis) {
    }

    private final long jvmStartMillis;
    private final List<Mark> marks = new ArrayList<>();

    StartTimeline() {
        this(ManagementFactory.getRuntimeMXBean().getStartTime());
    }

    StartTimeline(long jvmStartMillis) {
        this.jvmStartMillis = jvmStartMillis;
    }

    /** Marks the end of {@code step} now (steps are listed in the order they are marked). */
    synchronized void mark(String step) {
        marks.add(new Mark(step, System.currentTimeMillis() - jvmStartMillis));
    }

    /** Marks {@code step} only if it was not marked yet (steps seen by listeners on other threads). */
    synchronized void markOnce(String step) {
        if (marks.stream().noneMatch(m -> m.step.equals(step))) {
            mark(step);
        }
    }

    /** {@code jvm 180 ms | framework-init +150 ms (330) | ...}: each step's own time and the time since JVM start. */
    synchronized String line() {
        StringBuilder sb = new StringBuilder();
        long prev = 0;
        for (Mark m : sorted()) {
            sb.append(sb.length() == 0 ? "" : " | ").append(m.step).append(" +").append(m.atMillis - prev)
                    .append(" ms (").append(m.atMillis).append(')');
            prev = m.atMillis;
        }
        return sb.toString();
    }

    /** {"jvm_start_epoch_ms":…, "steps":[{"step":"jvm","ms":…,"at_ms":…},…], "total_ms":…}. */
    synchronized String json() {
        StringBuilder sb = new StringBuilder("{\"jvm_start_epoch_ms\":").append(jvmStartMillis).append(",\"steps\":[");
        long prev = 0;
        List<Mark> s = sorted();
        for (int i = 0; i < s.size(); i++) {
            Mark m = s.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"step\":\"").append(m.step).append("\",\"ms\":")
                    .append(m.atMillis - prev).append(",\"at_ms\":").append(m.atMillis).append('}');
            prev = m.atMillis;
        }
        return sb.append("],\"total_ms\":").append(s.isEmpty() ? 0 : s.get(s.size() - 1).atMillis).append("}\n")
                .toString();
    }

    private List<Mark> sorted() {
        List<Mark> s = new ArrayList<>(marks);
        s.sort((a, b) -> Long.compare(a.atMillis, b.atMillis));
        return s;
    }

    /** Writes {@link #json()} to {@code DATA/start-timeline.json} (atomically: readers never see half a file). */
    void write(Path dataDir) throws IOException {
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, json());
        Files.move(tmp, dataDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
