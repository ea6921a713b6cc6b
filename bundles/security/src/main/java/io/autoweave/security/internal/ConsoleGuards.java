package io.autoweave.security.internal;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The runtime's System.out and System.err while the security monitor runs: each behind a {@link ConsoleGuard}
 * that names the plugin printing and keeps it to its rate; both share one account per plugin location.
 */
final class ConsoleGuards {
    private final Map<String, ConsoleGuard.Account> accounts = new ConcurrentHashMap<>();
    private final PrintStream originalOut;
    private final PrintStream originalErr;
    private final long linesPerSecond;
    private final List<ConsoleGuard> guards;
    private final PrintStream out;
    private final PrintStream err;

    private ConsoleGuards(Supplier<String> pluginOnStack, long linesPerSecond, long burst) {
        this.originalOut = System.out;
        this.originalErr = System.err;
        this.linesPerSecond = linesPerSecond;
        ConsoleGuard o = new ConsoleGuard(originalOut, pluginOnStack, linesPerSecond, burst, accounts);
        ConsoleGuard e = new ConsoleGuard(originalErr, pluginOnStack, linesPerSecond, burst, accounts);
        this.guards = List.of(o, e);
        this.out = new PrintStream(o, true);
        this.err = new PrintStream(e, true);
    }

    /** Puts the guards in front of System.out and System.err. */
    static ConsoleGuards install(Supplier<String> pluginOnStack, long linesPerSecond, long burst) {
        ConsoleGuards g = new ConsoleGuards(pluginOnStack, linesPerSecond, burst);
        System.setOut(g.out);
        System.setErr(g.err);
        return g;
    }

    /** Lets every line through again and gives back the original streams (unless someone replaced them since). */
    void uninstall() {
        guards.forEach(ConsoleGuard::pass);
        if (System.out == out) {
            System.setOut(originalOut);
        }
        if (System.err == err) {
            System.setErr(originalErr);
        }
    }

    long linesPerSecond() {
        return linesPerSecond;
    }

    /** Lines per plugin location: {passed, dropped}. */
    Map<String, long[]> lines() {
        return ConsoleGuard.lines(accounts);
    }

    /** Lines dropped per plugin location since the last call. */
    Map<String, Long> drainDrops() {
        return ConsoleGuard.drainDrops(accounts);
    }
}
