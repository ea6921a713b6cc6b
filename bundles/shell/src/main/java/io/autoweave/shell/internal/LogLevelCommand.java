package io.autoweave.shell.internal;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo {@code aw:log-level [LOGGER [LEVEL]]}: shows or changes logger levels while the runtime runs, through
 * Configuration Admin (the logging system's configuration {@code org.ops4j.pax.logging}, applied at once). The file
 * {@code DATA/etc/org.ops4j.pax.logging.cfg} stays the source of truth: a change made here lasts until the next
 * start or the next edit of that file. The hyphenated name is not a Java method name, hence a {@link Function}.
 */
@Component(service = Function.class, property = { "osgi.command.scope=aw", "osgi.command.function=log-level" })
public final class LogLevelCommand implements Function {
    static final String USAGE = "usage: aw:log-level                 list the levels in force"
            + System.lineSeparator() + "       aw:log-level LOGGER LEVEL    LEVEL: TRACE DEBUG INFO WARN ERROR OFF, "
            + "or default (inherit again); LOGGER: a logger or package name, or ROOT";

    private final ConfigurationAdmin configAdmin;

    @Activate
    public LogLevelCommand(@Reference ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        Configuration c = configAdmin.getConfiguration(LogLevels.PID, "?");
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        if (arguments.isEmpty()) {
            StringBuilder out = new StringBuilder();
            for (Map.Entry<String, String> e : LogLevels.levels(props).entrySet()) {
                out.append(String.format("%-6s %s%n", e.getValue(), e.getKey()));
            }
            return out.toString().stripTrailing();
        }
        if (arguments.size() != 2) {
            throw new IllegalArgumentException(USAGE);
        }
        String change = LogLevels.set(props, String.valueOf(arguments.get(0)), String.valueOf(arguments.get(1)));
        c.update(props);
        return change + " (until the next start or edit of DATA/etc/" + LogLevels.PID + ".cfg)";
    }
}
