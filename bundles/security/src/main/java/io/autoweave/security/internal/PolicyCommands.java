package io.autoweave.security.internal;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

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
    public String policy() {
        return render(policy.rows(), null);
    }

    @Descriptor("show the rows that apply to plugins of one level, in evaluation order")
    public String policy(@Descriptor("low, medium or high; 'full' prints every row with its permissions") String level) {
        String l = level.trim().toLowerCase(Locale.ROOT);
        if (l.equals("full")) {
            return render(policy.rows(), "full");
        }
        if (!List.of("low", "medium", "high").contains(l)) {
            throw new IllegalArgumentException("unknown level '" + level + "': use low, medium, high or full");
        }
        return render(policy.rows().stream().filter(r -> PolicyManager.appliesTo(r, l)).collect(Collectors.toList()),
                l);
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
        for (PolicyManager.RowView r : rows) {
            out.append(NL).append(String.format("%3d %-5s %-8s %-28s %s", r.index(), r.decision(), r.scope(),
                    r.name(), r.origin()));
            if ("full".equals(level)) {
                out.append(NL).append("      ").append(r.encoded());
            }
        }
        return out.toString();
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
