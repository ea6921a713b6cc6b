package io.autoweave.console.internal;

import io.autoweave.commons.data.DataDirectory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.gogo.jline.Builtin;
import org.apache.felix.gogo.jline.Converters;
import org.apache.felix.gogo.jline.Posix;
import org.apache.felix.gogo.jline.Procedural;
import org.apache.felix.gogo.jline.Shell;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * What Felix's gogo.jline bundle activator would do, without its console: the {@code gogo} commands (builtins,
 * control flow, POSIX-like file commands, {@code gosh}) and the converters, plus the login profile every console
 * session reads. The runtime resolves gogo.jline for its classes but never starts it, so the local console and the
 * SSH console are both ours (and Gogo's telnet daemon, which only gogo.shell carried, is not in the runtime).
 */
@Component(service = ConsoleSupport.class, immediate = true)
public final class ConsoleSupport {
    private final BundleContext context;
    private final CommandProcessor processor;
    private final Path home;
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    @Activate
    public ConsoleSupport(BundleContext context, @Reference CommandProcessor processor) throws IOException {
        this.context = context;
        this.processor = processor;
        Path data = Path.of(requireData(context));
        this.home = ConsoleProfile.write(context.getDataFile("gosh").toPath(), data.resolve("shell-history"));
        register(Converter.class.getName(), new Converters(context.getBundle(0).getBundleContext()), "gogo", null);
        register(Builtin.class.getName(), new Builtin(), "gogo", new String[] { "format", "getopt", "new", "set", "tac",
                "type", "jobs", "fg", "bg", "keymap", "setopt", "unsetopt", "complete", "history", "widget", "__files",
                "__directories", "__usage_completion" });
        register(Procedural.class.getName(), new Procedural(), "gogo", new String[] { "each", "if", "not", "throw",
                "try", "until", "while", "break", "continue" });
        register(Posix.class.getName(), new Posix(processor), "gogo", new String[] { "cat", "echo", "grep", "sort",
                "sleep", "cd", "pwd", "ls", "less", "watch", "nano", "tmux", "head", "tail", "clear", "wc", "date",
                "ttop" });
        register(Shell.class.getName(), new Shell(context(), processor), "gogo", new String[] { "gosh", "sh",
                "source" });
        register(HelpCommand.class.getName(), new HelpCommand(context), "console", new String[] { "help" });
    }

    private static String requireData(BundleContext ctx) {
        return DataDirectory.require(ctx).toString();
    }

    private void register(String type, Object service, String scope, String[] functions) {
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("osgi.command.scope", scope);
        if (functions != null) {
            props.put("osgi.command.function", functions);
        }
        registrations.add(context.registerService(type, service, props));
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
    }

    /** Gogo's Shell context: GOSH_HOME is the console's home (its etc/gosh_profile); exit never stops anything. */
    Shell.Context context() {
        return new Shell.Context() {
            @Override
            public String getProperty(String name) {
                return "gosh.home".equals(name) ? home.toString() : context.getProperty(name);
            }

            @Override
            public void exit() {
                // a console session ends only itself; the framework stops with 'stop 0'
            }
        };
    }

    /** A new interactive shell runner. */
    ConsoleShell shell() {
        return new ConsoleShell(context, processor, context());
    }
}
