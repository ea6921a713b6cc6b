package io.autoweave.security.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.commons.json.Json;
import io.autoweave.commons.text.Table;
import io.autoweave.security.AuditRecord;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.security.Violation;

/** Gogo {@code aw:violations}, {@code aw:audit}, {@code aw:block}, {@code aw:unblock}, {@code aw:lockdown}. */
@Component(service = SecurityCommands.class, property = { "osgi.command.scope=aw",
        "osgi.command.function=violations", "osgi.command.function=audit", "osgi.command.function=block",
        "osgi.command.function=unblock", "osgi.command.function=lockdown" })
public final class SecurityCommands {
    private final SecurityMonitor monitor;

    @Activate
    public SecurityCommands(@Reference SecurityMonitor monitor) {
        this.monitor = monitor;
    }

    private static final String JSON = "print JSON instead of a table";

    @Descriptor("list the violations recorded since start: time, plugin, permission, rule, stack")
    public String violations(@Descriptor(JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json) {
        return violations(json, null);
    }

    @Descriptor("list the violations of one plugin")
    public String violations(@Descriptor(JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json, @Descriptor("plugin symbolic name") String plugin) {
        List<Violation> list = monitor.violations(plugin);
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Violation v : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("time", v.time().toString());
                m.put("plugin", v.plugin());
                m.put("location", v.location());
                m.put("level", v.level().name().toLowerCase(Locale.ROOT));
                m.put("permission", v.permission());
                m.put("critical", v.critical());
                m.put("rule", v.rule());
                m.put("stack", v.stack());
                m.put("repeats", v.repeats());
                out.add(m);
            }
            return Json.write(Map.of("violations", out));
        }
        if (list.isEmpty()) {
            return "no violations";
        }
        Table t = new Table("TIME", "LEVEL", "PLUGIN", "PERMISSION", "CRITICAL", "RULE", "REPEATS", "AT");
        for (Violation v : list) {
            t.row(v.time(), v.level(), v.plugin(), v.permission(), v.critical() ? "CRITICAL" : "no", v.rule(),
                    v.repeats(), v.stack());
        }
        return t.toString();
    }

    @Descriptor("show the last 50 audit records (every security decision)")
    public String audit(@Descriptor(JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json) {
        return audit(json, "");
    }

    @Descriptor("show the last 50 audit records matching a filter")
    public String audit(@Descriptor(JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json, @Descriptor("terms, all must match: key=value (time, decision, "
                    + "subject, rule, detail) or text, e.g. decision=blocked or subject=my.plugin") String filter) {
        List<AuditRecord> list = monitor.audit(filter, 50);
        if (json) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (AuditRecord r : list) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("time", r.time().toString());
                m.put("decision", r.decision());
                m.put("subject", r.subject());
                m.put("rule", r.rule());
                m.put("detail", r.detail());
                out.add(m);
            }
            return Json.write(Map.of("audit", out));
        }
        if (list.isEmpty()) {
            return "no audit records match";
        }
        Table t = new Table("TIME", "DECISION", "SUBJECT", "RULE", "DETAIL");
        list.forEach(r -> t.row(r.time(), r.decision(), r.subject(), r.rule(), r.detail()));
        return t.toString();
    }

    @Descriptor("block a plugin: stop it and keep it from starting, also after a restart, until aw:unblock")
    public String block(@Descriptor("plugin symbolic name") String plugin) {
        return block(plugin, "blocked by the operator");
    }

    @Descriptor("block a plugin with a reason")
    public String block(@Descriptor("plugin symbolic name") String plugin,
            @Descriptor("reason, kept in the audit log") String reason) {
        if (monitor.isBlocked(plugin)) {
            return plugin + " is blocked already: " + monitor.blocked().get(plugin);
        }
        monitor.block(plugin, reason, "operator");
        return "blocked " + plugin + (monitor.isLockdown() ? " (the system is in lockdown)" : "");
    }

    @Descriptor("lift a block; the plugin stays stopped until started")
    public String unblock(@Descriptor("plugin symbolic name") String plugin) {
        return monitor.unblock(plugin, "unblocked by the operator") ? "unblocked " + plugin + " (stopped; start it "
                + "with aw:start " + plugin + ")" : plugin + " is not blocked";
    }

    @Descriptor("show the lockdown state and the blocked plugins")
    public String lockdown() {
        Map<String, String> blocked = monitor.blocked();
        return "lockdown " + (monitor.isLockdown() ? "ON" : "off") + "; blocked: "
                + (blocked.isEmpty() ? "none" : blocked.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue()
                        + ")").collect(Collectors.joining(", ")));
    }

    @Descriptor("switch lockdown on (installs refused, every plugin stopped) or off (plugins start again)")
    public String lockdown(@Descriptor("on or off") String onOff) {
        boolean on;
        if ("on".equalsIgnoreCase(onOff)) {
            on = true;
        } else if ("off".equalsIgnoreCase(onOff)) {
            on = false;
        } else {
            throw new IllegalArgumentException("use aw:lockdown on or aw:lockdown off, not '" + onOff + "'");
        }
        monitor.setLockdown(on, "switched by the operator", "operator");
        return lockdown();
    }
}
