package io.autoweave.console.internal;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.channel.ChannelSession;

/**
 * {@code ssh -p PORT admin@HOST 'aw:devices --json'}: one command line, no terminal; its result on standard output,
 * an error on standard error with exit status 1. For scripts.
 */
final class SshExec extends SshSessionCommand {
    private final CommandProcessor processor;
    private final String line;

    SshExec(CommandProcessor processor, String line) {
        this.processor = processor;
        this.line = line;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        String user = channel.getSession().getUsername();
        serve("autoweave-ssh-exec-" + user, () -> {
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
        });
    }
}
