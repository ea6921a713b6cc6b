package io.autoweave.pluginhost.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How a plugin host process is confined by the operating system, layer by layer, each used when the machine has it:
 * <ul>
 * <li><b>bubblewrap</b> ({@code bwrap}): new user, pid, network, ipc, uts and cgroup namespaces (no network at all:
 * its network namespace holds only its own loopback), all capabilities dropped, a filesystem holding only what the JVM
 * needs read-only ({@code /usr}, {@code /lib*}, the JDK, the host's class path, the bundles) plus the private data
 * directory read-write and the channel's socket directory; {@code /etc}, {@code /home}, {@code /root} and the
 * runtime's data are simply not there. The JDK's process launcher helper is masked, and no shell or tool is visible.
 * <li><b>cgroups v1</b> ({@code memory}, {@code cpu}, {@code pids} under {@code /sys/fs/cgroup}, when writable): a
 * memory ceiling for the whole process (heap, metaspace, stacks), a CPU quota, a task (thread and process) ceiling.
 * The process joins its groups before the JVM starts (a shell writes its own pid, then execs).
 * <li><b>rlimits</b> ({@code prlimit}): open files, core dumps off, address space when no memory cgroup.
 * <li><b>JVM</b>: {@code -Xmx} per level, {@code -Xss}, {@code -XX:+ExitOnOutOfMemoryError}.
 * </ul>
 */
public final class Confinement {

    /** Limits for one level. */
    public record Limits(int heapMb, int memoryMb, int cpuPercent, int tasks, int openFiles, int dataMb) {
        /**
         * The seed's per-level figures: heap 256/128/64 MB, CPU share 80/50/30 %; the data directory (the host's
         * framework cache and the plugin's own files) 256/128/64 MB.
         */
        public static Limits of(String level) {
            switch (level.toLowerCase(Locale.ROOT)) {
                case "low": return new Limits(256, 512, 80, 256, 512, 256);
                case "medium": return new Limits(128, 320, 50, 128, 256, 128);
                default: return new Limits(64, 224, 30, 64, 128, 64);
            }
        }

        public String describe() {
            return "heap " + heapMb + " MB, memory " + memoryMb + " MB, cpu " + cpuPercent + " %, tasks " + tasks
                    + ", files " + openFiles + ", data " + dataMb + " MB";
        }
    }

    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final Path CGROUP = Path.of("/sys/fs/cgroup");
    private static final Path NICE = Path.of("/usr/bin/nice");
    /** The host's scheduling niceness: the runtime's threads win the CPU when both want it. */
    static final int NICENESS = 10;

    private final boolean bwrap;
    private final boolean prlimit;
    private final boolean cgroups;

    public Confinement(boolean bwrap, boolean prlimit, boolean cgroups) {
        this.bwrap = bwrap;
        this.prlimit = prlimit;
        this.cgroups = cgroups;
    }

    /** What this machine provides. */
    public static Confinement detect() {
        boolean cg = Files.isWritable(CGROUP.resolve("memory")) && Files.isWritable(CGROUP.resolve("pids"))
                && Files.isWritable(CGROUP.resolve("cpu"));
        return new Confinement(Files.isExecutable(BWRAP), Files.isExecutable(PRLIMIT), cg);
    }

    public boolean bwrap() {
        return bwrap;
    }

    public boolean cgroups() {
        return cgroups;
    }

    /** One line for logs and the audit: which layers hold. */
    public String describe() {
        return "bubblewrap " + (bwrap ? "on" : "MISSING (no namespaces: network and filesystem open)")
                + ", cgroups " + (cgroups ? "on" : "MISSING (rlimits only)") + ", prlimit " + (prlimit ? "on" : "MISSING");
    }

    /**
     * The command that starts the host confined.
     *
     * @param group the cgroup name (one per plugin), created under memory, cpu and pids
     */
    public List<String> command(Path javaHome, List<Path> classPath, String main, List<String> args, Path dataDir,
            Path socketDir, List<Path> readOnly, Limits limits, String group) throws IOException {
        // inside the sandbox every path the host needs appears under /aw, never where it lies on this machine: a
        // runtime kept under /root or /home would otherwise show those directories (their bound entries) to the plugin
        java.util.Map<String, String> inside = new java.util.LinkedHashMap<>();
        if (bwrap) {
            int n = 0;
            for (Path p : classPath) {
                inside.put(p.toAbsolutePath().toString(), "/aw/cp/" + (n++) + "-" + p.getFileName());
            }
            for (Path p : readOnly) {
                inside.putIfAbsent(p.toAbsolutePath().toString(), "/aw/ro/" + (n++) + "-" + p.getFileName());
            }
            inside.put(dataDir.toAbsolutePath().toString(), "/aw/data");
            inside.put(socketDir.toAbsolutePath().toString(), "/aw/run");
        }
        java.util.function.UnaryOperator<String> map = text -> {
            String out = text;
            // longest first, so a path inside another mapped one is taken whole
            List<String> keys = new ArrayList<>(inside.keySet());
            keys.sort((a, b) -> b.length() - a.length());
            for (String k : keys) {
                out = out.replace(k, inside.get(k));
            }
            return out;
        };
        List<String> jvm = new ArrayList<>();
        jvm.add(javaHome.resolve("bin/java").toString());
        jvm.add("-Xmx" + limits.heapMb() + "m");
        jvm.add("-Xss512k");
        jvm.add("-XX:+ExitOnOutOfMemoryError");
        jvm.add("-XX:-UsePerfData");
        jvm.add("-XX:ActiveProcessorCount=1");
        jvm.add(map.apply("-Djava.io.tmpdir=" + dataDir.toAbsolutePath().resolve("tmp")));
        jvm.add("-cp");
        jvm.add(String.join(":", classPath.stream().map(p -> map.apply(p.toAbsolutePath().toString())).toList()));
        jvm.add(main);
        for (String a : args) {
            jvm.add(map.apply(a));
        }
        Files.createDirectories(dataDir.resolve("tmp"));

        List<String> cmd = new ArrayList<>();
        if (bwrap) {
            cmd.add(BWRAP.toString());
            cmd.addAll(List.of("--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                    "--uid", "65534", "--gid", "65534", "--proc", "/proc", "--dev", "/dev"));
            Set<Path> ro = new LinkedHashSet<>();
            for (String p : List.of("/usr/lib", "/lib", "/lib64", "/usr/lib64")) {
                if (Files.exists(Path.of(p))) {
                    ro.add(Path.of(p));
                }
            }
            ro.add(javaHome.toRealPath());
            ro.addAll(linkedOutside(javaHome.toRealPath()));
            for (Path p : ro) {
                cmd.addAll(List.of("--ro-bind", p.toString(), p.toString()));
            }
            for (Path p : classPath) {
                String h = p.toAbsolutePath().toString();
                cmd.addAll(List.of("--ro-bind", h, inside.get(h)));
            }
            for (Path p : readOnly) {
                String h = p.toAbsolutePath().toString();
                cmd.addAll(List.of("--ro-bind", h, inside.get(h)));
            }
            if (!javaHome.toRealPath().equals(javaHome.toAbsolutePath())) {
                cmd.addAll(List.of("--symlink", javaHome.toRealPath().toString(), javaHome.toAbsolutePath().toString()));
            }
            Path helper = javaHome.toRealPath().resolve("lib/jspawnhelper");
            if (Files.exists(helper)) {
                cmd.addAll(List.of("--ro-bind", "/dev/null", helper.toString())); // no process launching
            }
            cmd.addAll(List.of("--bind", dataDir.toAbsolutePath().toString(), "/aw/data"));
            cmd.addAll(List.of("--bind", socketDir.toAbsolutePath().toString(), "/aw/run"));
            cmd.addAll(List.of("--chdir", "/aw/data"));
            cmd.add("--");
        }
        cmd.addAll(0, prlimits(limits));
        if (Files.isExecutable(NICE)) {
            // below the runtime in every case; the cgroup quota (when there is one) is the actual ceiling
            cmd.addAll(0, List.of(NICE.toString(), "-n", Integer.toString(NICENESS)));
        }
        cmd.addAll(jvm);
        if (cgroups) {
            joinGroups(group, limits);
            List<String> sh = new ArrayList<>(List.of("/bin/sh", "-c", "for c in memory cpu cpuacct pids; do echo $$ > "
                    + CGROUP + "/$c/autoweave/" + group + "/cgroup.procs || exit 90; done; exec \"$@\"", "aw-host"));
            sh.addAll(cmd);
            return sh;
        }
        return cmd;
    }

    /**
     * Files a JDK links to outside itself: Debian's OpenJDK keeps {@code conf/security/java.security} and friends
     * in {@code /etc/java-17-openjdk}, without which the JVM cannot open a socket (it reads the security properties).
     */
    static Set<Path> linkedOutside(Path jdk) throws IOException {
        Set<Path> out = new LinkedHashSet<>();
        try (var walk = Files.walk(jdk)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isSymbolicLink(p) && Files.exists(p)) {
                    Path target = p.toRealPath();
                    if (!target.startsWith(jdk) && !target.startsWith("/usr")) {
                        out.add(target);
                    }
                }
            }
        }
        return out;
    }

    private List<String> prlimits(Limits limits) {
        if (!prlimit) {
            return List.of();
        }
        // --fsize: no one file beyond the data ceiling (the JVM ignores SIGXFSZ: the write fails with "File too
        // large"); the supervisor bounds the directory as a whole
        List<String> p = new ArrayList<>(List.of(PRLIMIT.toString(), "--nofile=" + limits.openFiles(), "--core=0",
                "--fsize=" + (long) limits.dataMb() * 1024 * 1024));
        if (!cgroups) {
            // no memory cgroup: the address space is the only ceiling left (generous: the JVM reserves a lot)
            p.add("--as=" + (long) (limits.memoryMb() + 1536) * 1024 * 1024);
            p.add("--nproc=" + limits.tasks());
        }
        p.add("--");
        return p;
    }

    private static void joinGroups(String group, Limits limits) throws IOException {
        Path mem = CGROUP.resolve("memory/autoweave").resolve(group);
        Path cpu = CGROUP.resolve("cpu/autoweave").resolve(group);
        Path pids = CGROUP.resolve("pids/autoweave").resolve(group);
        Path acct = CGROUP.resolve("cpuacct/autoweave").resolve(group);
        for (Path p : List.of(mem, cpu, pids, acct)) {
            Files.createDirectories(p);
        }
        Files.writeString(mem.resolve("memory.limit_in_bytes"), Long.toString((long) limits.memoryMb() * 1024 * 1024));
        Files.writeString(mem.resolve("memory.max_usage_in_bytes"), "0"); // the peak of this start, not the last
        Path swap = mem.resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(swap)) {
            try {
                Files.writeString(swap, Long.toString((long) limits.memoryMb() * 1024 * 1024));
            } catch (IOException e) {
                // swap accounting off: the memory limit alone
            }
        }
        Files.writeString(cpu.resolve("cpu.cfs_period_us"), "100000");
        Files.writeString(cpu.resolve("cpu.cfs_quota_us"), Long.toString(limits.cpuPercent() * 1000L));
        Files.writeString(pids.resolve("pids.max"), Integer.toString(limits.tasks()));
    }

    /** CPU time the group used, in nanoseconds, or -1 without the cpuacct controller. */
    public static long cpuNanos(String group) {
        try {
            return Long.parseLong(Files.readString(CGROUP.resolve("cpuacct/autoweave").resolve(group)
                    .resolve("cpuacct.usage")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** The group's memory high-water mark in bytes, or -1. */
    public static long memoryPeak(String group) {
        try {
            return Long.parseLong(Files.readString(CGROUP.resolve("memory/autoweave").resolve(group)
                    .resolve("memory.max_usage_in_bytes")).trim());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
