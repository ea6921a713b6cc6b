package io.autoweave.console.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * {@code ssh -p PORT admin@HOST 'aw:devices --json'}: one command line, no terminal; its result on standard output,
 * an error on standard error with exit status 1. For scripts.
 */
final class SshExec implements Command {
    private final CommandProcessor processor;
    private final String line;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private volatile Thread thread;

    SshExec(CommandProcessor processor, String line) {
        this.processor = processor;
        this.line = line;
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
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback exit) {
        this.exit = exit;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        String user = channel.getSession().getUsername();
        Thread th = new Thread(() -> {
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            int code = 0;
            try (CommandSession session = processor.createSession(in, o, e)) {
                session.put("USER", user);
                session.put("SCOPE", ConsoleProfile.SCOPE);
                Object result = session.execute(line);
                if (result != null) {
                    o.println(session.format(result, Converter.INSPECT));
                }
            } catch (Exception ex) {
                e.println(ex.getMessage() == null ? ex.toString() : ex.getMessage());
                code = 1;
            } finally {
                o.flush();
                e.flush();
                exit.onExit(code);
            }
        }, "autoweave-ssh-exec-" + user);
        thread = th;
        th.start();
    }

    @Override
    public void destroy(ChannelSession channel) {
        Thread th = thread;
        if (th != null && th != Thread.currentThread()) {
            th.interrupt();
        }
    }
}
