package io.autoweave.security.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What stands behind {@code System.out} and {@code System.err} while the security monitor runs: bytes written with a
 * plugin's code on the stack go out line by line, each prefixed with {@code [plugin BSN] }, through a token bucket
 * per plugin ({@code linesPerSecond} refilled, {@code burst} deep); lines over the budget are dropped and counted.
 * Everything else (the runtime's own output) passes untouched. Without it a plugin wrote 1,000,000 console lines
 * in 5.4 s, anonymous and unbounded.
 *
 * <p>Runs on the writer's thread, so it does nothing that could be permission-checked and never blocks beyond the
 * write to the real stream; reporting the drops is the monitor worker's job ({@link #drainDrops}).
 */
final class ConsoleGuard extends OutputStream {

    /** Console lines of one plugin: its budget and what was passed and dropped. */
    static final class Account {
        final String prefix;
        private final double perNano;
        private final double burst;
        private double tokens;
        private long refilled;
        private boolean lineStart = true;
        private boolean dropping;
        long passed;
        long dropped;
        long reported;

        Account(String bsn, long linesPerSecond, long burst, long now) {
            this.prefix = "[plugin " + bsn + "] ";
            this.perNano = linesPerSecond / 1e9;
            this.burst = burst;
            this.tokens = burst;
            this.refilled = now;
        }

        /** Whether one more line may go out now. */
        boolean takeLine(long now) {
            tokens = Math.min(burst, tokens + (now - refilled) * perNano);
            refilled = now;
            if (tokens >= 1) {
                tokens -= 1;
                passed++;
                return true;
            }
            dropped++;
            return false;
        }
    }

    private final OutputStream target;
    private final Supplier<String> pluginOnStack;
    private final long linesPerSecond;
    private final long burst;
    private final Map<String, Account> accounts;
    private volatile boolean open = true;

    /**
     * @param pluginOnStack the location of the plugin whose code is on the stack, or null (the denial recorder's
     *        attribution: the innermost bundle frame decides)
     * @param accounts shared by the guards of System.out and System.err: the budget is the plugin's, not a stream's
     */
    ConsoleGuard(OutputStream target, Supplier<String> pluginOnStack, long linesPerSecond, long burst,
            Map<String, Account> accounts) {
        this.target = target;
        this.pluginOnStack = pluginOnStack;
        this.linesPerSecond = linesPerSecond;
        this.burst = burst;
        this.accounts = accounts;
        new Account("-", 1, 1, 0).takeLine(1); // link before a plugin is on the stack
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] { (byte) b }, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        String location = open ? pluginOnStack.get() : null;
        if (location == null) {
            target.write(b, off, len);
            return;
        }
        Account a = accounts.computeIfAbsent(location, l -> new Account(SecurityMonitorImpl.bsnOf(l), linesPerSecond,
                burst, System.nanoTime()));
        synchronized (a) {
            int end = off + len;
            int start = off;
            while (start < end) {
                int nl = start;
                while (nl < end && b[nl] != '\n') {
                    nl++;
                }
                int stop = nl < end ? nl + 1 : end; // the newline goes with its line
                boolean prefix = false;
                if (a.lineStart) {
                    a.dropping = !a.takeLine(System.nanoTime());
                    prefix = !a.dropping;
                }
                if (!a.dropping) {
                    // the prefix and its text in one go: another thread's line between them (the target is a
                    // PrintStream, which locks itself) would leave the text unattributed on a line of its own
                    synchronized (target) {
                        if (prefix) {
                            target.write(a.prefix.getBytes(StandardCharsets.UTF_8));
                        }
                        target.write(b, start, stop - start);
                    }
                }
                a.lineStart = nl < end;
                start = stop;
            }
        }
    }

    /**
     * Passes everything through from now on: the monitor stopped. Others (the Gogo runtime's ThreadIO) may still
     * hold this stream as their default, so it keeps forwarding rather than being closed.
     */
    void pass() {
        open = false;
    }

    @Override
    public void flush() throws IOException {
        target.flush();
    }

    /** Lines per plugin location: {passed, dropped}. */
    static Map<String, long[]> lines(Map<String, Account> accounts) {
        Map<String, long[]> m = new java.util.TreeMap<>();
        accounts.forEach((l, a) -> {
            synchronized (a) {
                m.put(l, new long[] { a.passed, a.dropped });
            }
        });
        return m;
    }

    /** Plugin location → lines dropped since the last call, for those that dropped any. */
    static Map<String, Long> drainDrops(Map<String, Account> accounts) {
        Map<String, Long> m = new java.util.TreeMap<>();
        accounts.forEach((l, a) -> {
            synchronized (a) {
                if (a.dropped > a.reported) {
                    m.put(l, a.dropped - a.reported);
                    a.reported = a.dropped;
                }
            }
        });
        return m;
    }
}
