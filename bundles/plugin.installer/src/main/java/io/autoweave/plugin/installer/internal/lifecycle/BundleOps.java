package io.autoweave.plugin.installer.internal.lifecycle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.plugin.installer.internal.config.InstallerConfig;

/**
 * Runs a plugin's lifecycle operations ({@code start}, {@code stop}, {@code uninstall}) on a thread of their own and
 * waits at most a time-out for them. A plugin's activator runs inside {@code Bundle.start()} on the caller's thread
 * while the framework holds that bundle's lock: one {@code start()} that never returns used to hold a Jetty request
 * thread and the installer's lock for ever, so every later install, start and uninstall hung behind it.
 *
 * <p>When the time-out passes, the caller gets a {@link TimedOut} at once and the thread is interrupted; if the
 * operation still has not returned after {@code graceMillis}, the thread is stopped ({@code Thread.stop}, JDK 17
 * only: the in-process mode's JDK), which unwinds the activator and makes the framework release the bundle's lock, so
 * the plugin can be stopped, refreshed and uninstalled. A plugin that even survives that keeps only its own bundle
 * locked; nothing of the installer waits for it.
 */
public final class BundleOps {
    private static final Logger LOG = LoggerFactory.getLogger(BundleOps.class);

    /** The operation did not return in time (it may still be running). */
    public static final class TimedOut extends Exception {
        private static final long serialVersionUID = 1L;

        TimedOut(String message) {
            super(message);
        }
    }

    /** One framework call on a bundle. */
    public interface Op {
        public void run(Bundle b) throws BundleException;
    }

    private final long timeoutMillis;
    private final long graceMillis;

    /** With the configured start time-out and a 2 s grace for an interrupted activator. */
    public static BundleOps of(InstallerConfig config) {
        return new BundleOps(config.start_timeout_seconds() * 1000L, 2000);
    }

    BundleOps(long timeoutMillis, long graceMillis) {
        this.timeoutMillis = timeoutMillis;
        this.graceMillis = graceMillis;
    }

    public long timeoutMillis() {
        return timeoutMillis;
    }

    /**
     * Runs {@code op} on {@code b} on a fresh daemon thread and waits for it.
     *
     * @throws BundleException what the framework threw
     * @throws TimedOut after the time-out; the thread is interrupted, and stopped after the grace period
     */
    public void run(String verb, Bundle b, Op op) throws BundleException, TimedOut {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                op.run(b);
                done.complete(null);
            } catch (Throwable e) { // ThreadDeath included: the caller is told, the thread ends
                done.completeExceptionally(e);
            }
        }, "autoweave-plugin-" + verb + " " + b.getSymbolicName());
        t.setDaemon(true);
        t.start();
        try {
            done.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof BundleException) {
                throw (BundleException) c;
            }
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw new BundleException(verb + " of " + b.getSymbolicName() + " failed: " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BundleException("interrupted while waiting for the " + verb + " of " + b.getSymbolicName());
        } catch (TimeoutException e) {
            t.interrupt();
            reap(t, done);
            throw new TimedOut(verb + " of " + b.getSymbolicName() + " did not return within " + timeoutMillis
                    + " ms");
        }
    }

    /** Stops the thread if the interrupt did not end the operation within the grace period. */
    @SuppressWarnings({ "deprecation", "removal" })
    private void reap(Thread t, CompletableFuture<Void> done) {
        Thread reaper = new Thread(() -> {
            try {
                done.get(graceMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                try {
                    LOG.warn("{} ignored its interrupt for {} ms: stopping the thread", t.getName(), graceMillis);
                    t.stop();
                } catch (UnsupportedOperationException x) {
                    LOG.error("{} cannot be stopped on this JDK; the bundle stays locked until it returns",
                            t.getName());
                }
            } catch (InterruptedException | ExecutionException e) {
                // ended, one way or the other
            }
        }, "autoweave-plugin-reaper");
        reaper.setDaemon(true);
        reaper.start();
    }
}
