package io.autoweave.console.internal;

import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The console on the terminal the runtime was started from (the launcher sets {@code gosh.args=--nointeractive}
 * without one, and then nothing here reads standard input or touches signals). Ctrl-C interrupts the running
 * command only; Ctrl-D at the prompt, like {@code stop 0}, stops the runtime.
 */
@Component(immediate = true)
public final class LocalConsole {
    private static final System.Logger LOG = System.getLogger(LocalConsole.class.getName());

    private final BundleContext context;
    private volatile Terminal terminal;
    private volatile Thread thread;
    private volatile boolean stopping;

    @Activate
    public LocalConsole(BundleContext context, @Reference ConsoleSupport support) {
        this.context = context;
        String args = context.getProperty("gosh.args");
        if (args != null && args.contains("--nointeractive")) {
            return;
        }
        Thread t = new Thread(() -> run(support), "autoweave-local-console");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void run(ConsoleSupport support) {
        try {
            // native signals: Ctrl-C becomes a terminal signal the shell turns into interrupting the running command,
            // instead of the JVM's SIGINT shutdown
            Terminal t = SshTerminals.build(TerminalBuilder.builder().name("autoweave").system(true)
                    .nativeSignals(true).signalHandler(Terminal.SignalHandler.SIG_IGN));
            terminal = t;
            support.shell().run(t, System.getProperty("user.name", "console"),
                    "AutoWeave console: 'help aw' lists the AutoWeave commands; Tab completes, Up recalls; "
                            + "Ctrl-C ends the running command; 'stop 0' or Ctrl-D stops the runtime.");
        } catch (Exception e) {
            if (!stopping) {
                LOG.log(System.Logger.Level.ERROR, "local console failed", e);
            }
        }
        if (!stopping) {
            try {
                context.getBundle(0).stop();
            } catch (BundleException | IllegalStateException e) {
                LOG.log(System.Logger.Level.WARNING, "console closed but the framework did not stop", e);
            }
        }
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        Terminal t = terminal;
        if (t != null) {
            try {
                t.close();
            } catch (java.io.IOException e) {
                // closing anyway
            }
        }
        Thread th = thread;
        if (th != null && th != Thread.currentThread()) {
            th.interrupt();
        }
    }
}
