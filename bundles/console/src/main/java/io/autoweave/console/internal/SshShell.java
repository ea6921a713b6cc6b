package io.autoweave.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;

/** An interactive SSH session: a JLine terminal over the channel's streams running a console shell. */
final class SshShell implements Command {
    private static final System.Logger LOG = System.getLogger(SshShell.class.getName());

    private final ConsoleShell shell;
    private InputStream in;
    private OutputStream out;
    private ExitCallback exit;
    private volatile Terminal terminal;
    private volatile Thread thread;

    SshShell(ConsoleShell shell) {
        this.shell = shell;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        // a terminal has one output; errors are printed on it
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
        this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        Map<String, String> vars = env.getEnv();
        String user = channel.getSession().getUsername();
        // an ExternalTerminal does the line discipline itself: a Ctrl-C byte from the client becomes an INT signal
        // the shell turns into interrupting the running command (a pty from TerminalBuilder would swallow it)
        Terminal t = new ExternalTerminal("autoweave-ssh", vars.getOrDefault(Environment.ENV_TERM, "xterm"), in, out,
                StandardCharsets.UTF_8);
        t.setAttributes(SshTerminals.attributes(env.getPtyModes()));
        t.setSize(new Size(SshTerminals.number(vars.get(Environment.ENV_COLUMNS), 80),
                SshTerminals.number(vars.get(Environment.ENV_LINES), 24)));
        terminal = t;
        env.addSignalListener((ch, signal) -> {
            t.setSize(new Size(SshTerminals.number(vars.get(Environment.ENV_COLUMNS), 80),
                    SshTerminals.number(vars.get(Environment.ENV_LINES), 24)));
            t.raise(Terminal.Signal.WINCH);
        }, Signal.WINCH);
        Thread th = new Thread(() -> {
            int code = 0;
            try {
                shell.run(t, user, "AutoWeave console over SSH, logged in as " + user + ". 'help aw' lists the "
                        + "AutoWeave commands; Ctrl-C ends the running command; Ctrl-D logs out ('stop 0' stops the "
                        + "runtime).");
            } catch (Exception e) {
                code = 1;
                LOG.log(System.Logger.Level.DEBUG, "ssh session of " + user + " ended", e);
            } finally {
                close();
                exit.onExit(code);
            }
        }, "autoweave-ssh-" + user);
        thread = th;
        th.start();
    }

    @Override
    public void destroy(ChannelSession channel) {
        close();
        Thread th = thread;
        if (th != null && th != Thread.currentThread()) {
            th.interrupt();
        }
    }

    private void close() {
        Terminal t = terminal;
        if (t != null) {
            try {
                t.close();
            } catch (IOException e) {
                // the channel is going away anyway
            }
        }
    }
}
