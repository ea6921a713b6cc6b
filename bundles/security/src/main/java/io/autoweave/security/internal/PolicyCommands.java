package io.autoweave.security.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.commons.json.Json;
import io.autoweave.commons.text.Table;

/**
 * Gogo {@code aw:policy} (the ConditionalPermissionAdmin rows in force, by level, with the file and line each came
 * from) and {@code aw:policy-reload}. The hyphenated name is not a Java method name, so the reload command is a
 * {@link Function} of its own: {@link Reload}.
 */
@Component(service = PolicyCommands.class, property = { "osgi.command.scope=aw", "osgi.command.function=policy" })
public final class PolicyCommands {
    private static final String NL = System.lineSeparator();

    private final PolicyManager policy;

    @Activate
    public PolicyCommands(@Reference PolicyManager policy) {
        this.policy = policy;
    }

    @Descriptor("show the permission rows in force, in evaluation order, with the file and line of each")
    public String policy(@Descriptor("print JSON: {directory, last_error, rows: [{index, decision, scope, name, "
            + "origin, permissions}]}") @Parameter(names = "--json", presentValue = "true",
                    absentValue = "false") boolean json) {
        return json ? json(policy.rows()) : render(policy.rows(), null);
    }

    @Descriptor("show the rows that apply to plugins of one level, in evaluation order")
    public String policy(@Descriptor("print JSON (every row with its permissions)") @Parameter(names = "--json",
            presentValue = "true", absentValue = "false") boolean json,
            @Descriptor("low, medium or high; 'full' prints every row with its permissions") String level) {
        String l = level.trim().toLowerCase(Locale.ROOT);
        if (l.equals("full")) {
            return json ? json(policy.rows()) : render(policy.rows(), "full");
        }
        if (!List.of("low", "medium", "high").contains(l)) {
            throw new IllegalArgumentException("unknown level '" + level + "': use low, medium, high or full");
        }
        List<PolicyManager.RowView> rows = policy.rows().stream().filter(r -> PolicyManager.appliesTo(r, l))
                .collect(Collectors.toList());
        return json ? json(rows) : render(rows, l);
    }

    private String json(List<PolicyManager.RowView> rows) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (PolicyManager.RowView r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", r.index());
            m.put("decision", r.decision());
            m.put("scope", r.scope());
            m.put("name", r.name());
            m.put("origin", r.origin());
            m.put("permissions", r.encoded());
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("directory", policy.directory() == null ? null : policy.directory().toString());
        out.put("last_error", policy.lastError() == null ? null : String.valueOf(policy.lastError()));
        out.put("rows", list);
        return Json.write(out);
    }

    private String render(List<PolicyManager.RowView> rows, String level) {
        StringBuilder out = new StringBuilder();
        out.append(policy.directory() == null ? "policy: built into the runtime (started without --policies)"
                : "policy: " + policy.directory() + " (reloaded on change)");
        if (level != null && !level.equals("full")) {
            out.append(", rows for level ").append(level);
        }
        if (policy.lastError() != null) {
            out.append(NL).append("LAST RELOAD REFUSED: ").append(policy.lastError())
                    .append(" (the rows below stay in force)");
        }
        Table t = "full".equals(level) ? new Table("#", "DECISION", "SCOPE", "NAME", "ORIGIN", "PERMISSIONS")
                : new Table("#", "DECISION", "SCOPE", "NAME", "ORIGIN");
        for (PolicyManager.RowView r : rows) {
            if ("full".equals(level)) {
                t.row(r.index(), r.decision(), r.scope(), r.name(), r.origin(), r.encoded());
            } else {
                t.row(r.index(), r.decision(), r.scope(), r.name(), r.origin());
            }
        }
        return out.append(NL).append(t).toString();
    }

    /** {@code aw:policy-reload}: re-read the policy directory now. */
    @Component(service = Function.class, property = { "osgi.command.scope=aw",
            "osgi.command.function=policy-reload" })
    public static final class Reload implements Function {
        private final PolicyManager policy;

        @Activate
        public Reload(@Reference PolicyManager policy) {
            this.policy = policy;
        }

        @Override
        @Descriptor("re-read the policy directory (--policies) now; a broken file keeps the rows in force and says "
                + "which file and line")
        public Object execute(CommandSession session, List<Object> arguments) throws Exception {
            if (!arguments.isEmpty()) {
                throw new IllegalArgumentException("aw:policy-reload takes no arguments: it re-reads the policy "
                        + "directory the runtime was started with");
            }
            PolicyManager.Result r = policy.reload("operator");
            return (r.changed() ? "reloaded: " : "no change: ") + r.summary();
        }
    }
}
