package io.autoweave.console.internal;

import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.jline.terminal.Terminal;
import org.osgi.framework.BundleContext;

/** One interactive Gogo session on a JLine terminal: line editing, history, completion, Ctrl-C ends the command. */
final class ConsoleShell {
    private final BundleContext context;
    private final CommandProcessor processor;
    private final Shell.Context shellContext;

    ConsoleShell(BundleContext context, CommandProcessor processor, Shell.Context shellContext) {
        this.context = context;
        this.processor = processor;
        this.shellContext = shellContext;
    }

    /** Runs until the user ends the session (Ctrl-D) or the terminal closes. Never stops the framework. */
    void run(Terminal terminal, String user, String banner) throws Exception {
        try (CommandSession session = processor.createSession(terminal.input(), terminal.output(), terminal.output())) {
            session.put(Shell.VAR_TERMINAL, terminal);
            session.put(".context", context);
            session.put("USER", user);
            // Felix's welcome text is replaced by the banner below
            session.put(".gosh_quiet", Boolean.TRUE);
            terminal.writer().println(banner);
            terminal.flush();
            Shell shell = new Shell(shellContext, processor);
            shell.gosh(session, new String[] { "--login", "--noshutdown" });
        }
    }
}
