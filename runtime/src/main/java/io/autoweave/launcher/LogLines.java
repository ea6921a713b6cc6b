package io.autoweave.launcher;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/**
 * The launcher's side of the one log format. Inside the framework Pax Logging writes every line (pattern in
 * {@code config/org.ops4j.pax.logging.cfg}); outside it (before the logging bundles start, after they stop) the
 * launcher writes its own lines, the framework's and java.util.logging's in the same layout:
 * {@code 2026-12-07T06:31:37.123+00:00 INFO  [main] io.autoweave.launcher - message}.
 */
final class LogLines {
    static final String LAUNCHER = "io.autoweave.launcher";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private LogLines() {
    }

    static String format(long millis, String level, String thread, String logger, String message) {
        String time = TIME.format(OffsetDateTime.ofInstant(java.time.Instant.ofEpochMilli(millis),
                java.time.ZoneId.systemDefault()));
        return time + " " + String.format("%-5s", level) + " [" + thread + "] " + logger + " - " + message;
    }

    static String level(Level l) {
        int v = l.intValue();
        return v >= Level.SEVERE.intValue() ? "ERROR" : v >= Level.WARNING.intValue() ? "WARN"
                : v >= Level.INFO.intValue() ? "INFO" : v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    /** Whether Pax Logging currently receives java.util.logging (it replaces the root handlers while active). */
    static boolean bridged() {
        for (Handler h : Logger.getLogger("").getHandlers()) {
            if (h.getClass().getName().startsWith("org.ops4j.pax.logging")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Points java.util.logging (and so System.Logger) at {@code out} in the one format, for the time no logging
     * bundle runs. Pax Logging resets the root handlers when it starts, and removes its own when it stops.
     */
    static void julToConsole(PrintStream out) {
        if (bridged()) {
            return;
        }
        Logger root = LogManager.getLogManager().getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Handler console = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (isLoggable(r)) {
                    out.println(getFormatter().format(r));
                    out.flush();
                }
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
            }
        };
        console.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String line = LogLines.format(r.getMillis(), level(r.getLevel()), Thread.currentThread().getName(),
                        r.getLoggerName() == null ? "" : r.getLoggerName(), formatMessage(r));
                return r.getThrown() == null ? line : line + System.lineSeparator() + stackTrace(r.getThrown());
            }
        });
        root.addHandler(console);
    }

    static String stackTrace(Throwable t) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        t.printStackTrace(new PrintStream(b, true, StandardCharsets.UTF_8));
        return b.toString(StandardCharsets.UTF_8).stripTrailing();
    }

    /** Felix's own messages (resolver, bundle events it reports) through java.util.logging, so they share the format. */
    static final class FrameworkLogger extends org.apache.felix.framework.Logger {
        private static final Logger JUL = Logger.getLogger("org.apache.felix.framework");

        @Override
        protected void doLog(Bundle bundle, ServiceReference sr, int level, String msg, Throwable throwable) {
            String prefix = bundle == null ? "" : "[" + bundle.getSymbolicName() + "] ";
            if (bundle != null && bundle.getLocation().startsWith(PLUGIN_LOCATION_PREFIX)
                    && throwable instanceof org.osgi.framework.BundleException be
                    && be.getType() == org.osgi.framework.BundleException.RESOLVE_ERROR) {
                // a plugin kept from resolving (blocked, lockdown, no SecurityManager) or missing a dependency: the
                // security monitor has audited why; one line, not a stack trace at every start
                JUL.log(Level.WARNING, prefix + msg + ": " + be.getMessage() + " (aw:audit subject="
                        + bundle.getSymbolicName() + ")");
                return;
            }
            JUL.log(julLevel(level), prefix + msg + (sr == null ? "" : " (" + sr + ")"), throwable);
        }

        /** Where the installer puts in-process plugins ({@code io.autoweave.api.plugin.PluginLocation}). */
        private static final String PLUGIN_LOCATION_PREFIX = "plugin:";

        @Override
        protected void doLog(int level, String msg, Throwable throwable) {
            JUL.log(julLevel(level), msg, throwable);
        }

        private static Level julLevel(int osgiLevel) {
            switch (osgiLevel) {
                case LOG_ERROR: return Level.SEVERE;
                case LOG_WARNING: return Level.WARNING;
                case LOG_INFO: return Level.INFO;
                default: return Level.FINE;
            }
        }
    }

    /**
     * Drops the JDK 17 warning block that {@code System::setSecurityManager} prints once per calling class (Felix,
     * the security monitor): four lines per caller that no option turns off ({@code -Djava.security.manager=allow}
     * does not; installing the manager from the command line prints its own two). Installing the SecurityManager is
     * the point of this runtime (README, "Java 17 is required"), so the warning tells the operator nothing.
     *
     * <p>The JDK writes it to the stream System.err had at JVM start ({@code System.initialErrStream}), not to
     * System.err, so the filter goes there: the executable jar's manifest opens {@code java.base/java.lang} to the
     * launcher for this one field. Elsewhere (opened or not) nothing changes. Every other line passes untouched.
     */
    static final class SecurityManagerWarningFilter extends OutputStream {
        private static final String FIRST = "WARNING: A terminally deprecated method in java.lang.System has been called";
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private int dropping;

        SecurityManagerWarningFilter(PrintStream target) {
            this.target = target;
        }

        /** Puts the filter in front of the JDK's initial error stream (once); returns whether it is in place. */
        static boolean install() {
            try {
                java.lang.reflect.Field f = System.class.getDeclaredField("initialErrStream");
                f.setAccessible(true);
                Object current = f.get(null);
                if (current instanceof Marked) {
                    return true;
                }
                if (current instanceof PrintStream ps) {
                    f.set(null, new Marked(new SecurityManagerWarningFilter(ps)));
                    return true;
                }
                return false;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false; // not opened (in-process use) or another JDK: the warning stays, nothing breaks
            }
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (text.startsWith(FIRST)) {
                    dropping = 3; // the three lines that follow belong to the block
                    return;
                }
                if (dropping > 0 && text.startsWith("WARNING: ")
                        && (text.contains("System::setSecurityManager") || text.contains("consider reporting"))) {
                    dropping--;
                    return;
                }
                dropping = 0;
                target.print(text);
                target.flush();
            }
        }

        @Override
        public synchronized void flush() {
            target.flush();
        }
    }

    /** The stream once filtered, so a second launcher in the same JVM does not stack another filter. */
    static final class Marked extends PrintStream {
        Marked(OutputStream out) {
            super(out, true, StandardCharsets.UTF_8);
        }
    }
}
