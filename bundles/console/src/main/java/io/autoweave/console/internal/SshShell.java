package io.autoweave.console.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.sshd.server.Environment;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;

/** An interactive SSH session: a JLine terminal over the channel's streams running a console shell. */
final class SshShell extends SshSessionCommand {
    private static final System.Logger LOG = System.getLogger(SshShell.class.getName());

    private final ConsoleShell shell;
    private volatile Terminal terminal;

    SshShell(ConsoleShell shell) {
        this.shell = shell;
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
        serve("autoweave-ssh-" + user, () -> {
            int code = 0;
            try {
                shell.run(t, user, "AutoWeave console over SSH, logged in as " + user + ". 'help aw' lists the "
                        + "AutoWeave commands; Ctrl-C ends the running command; Ctrl-D logs out ('stop 0' stops the "
                        + "runtime).");
            } catch (Exception e) {
                code = 1;
                LOG.log(System.Logger.Level.DEBUG, "ssh session of " + user + " ended", e);
            } finally {
                release();
                exit.onExit(code);
            }
        });
    }

    /** A terminal has one output: errors are printed on it, the error stream stays unused. */
    @Override
    protected void release() {
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
