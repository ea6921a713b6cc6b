package io.autoweave.http.internal;

import java.util.List;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo {@code aw:token NAME ROLE} (makes an API token and shows it once; only its hash is stored in
 * {@code DATA/security/api-tokens}) and {@code aw:tokens} (names and roles, never secrets). {@code aw:token-revoke}
 * is {@link Revoke}: a hyphenated name is not a Java method name.
 */
@Component(service = TokenCommands.class, property = { "osgi.command.scope=aw", "osgi.command.function=token",
        "osgi.command.function=tokens" })
public final class TokenCommands {

    private final ApiTokens tokens;

    @Activate
    public TokenCommands(@Reference ApiTokens tokens) {
        this.tokens = tokens;
    }

    @Descriptor("create an API token (shown once; only its hash is stored)")
    public String token(@Descriptor("token name, e.g. grafana") String name,
            @Descriptor("viewer, operator or admin") String role) {
        return "token for '" + name + "' (" + role + "), shown only now:\n" + tokens.create(name, role);
    }

    @Descriptor("list API token names and roles (never the tokens)")
    public List<String> tokens() {
        return tokens.list().stream().map(t -> t.name() + " (" + t.role().name().toLowerCase() + ")").toList();
    }

    /** {@code aw:token-revoke NAME}: the token stops working at once. */
    @Component(service = Function.class, property = { "osgi.command.scope=aw",
            "osgi.command.function=token-revoke" })
    public static final class Revoke implements Function {
        private final ApiTokens tokens;

        @Activate
        public Revoke(@Reference ApiTokens tokens) {
            this.tokens = tokens;
        }

        @Override
        public Object execute(CommandSession session, List<Object> arguments) {
            if (arguments.size() != 1) {
                throw new IllegalArgumentException("usage: aw:token-revoke NAME (aw:tokens lists the names)");
            }
            String name = String.valueOf(arguments.get(0));
            if (!tokens.revoke(name)) {
                throw new IllegalArgumentException("no API token named '" + name + "' (aw:tokens lists them)");
            }
            return "revoked '" + name + "': it no longer authenticates";
        }
    }
}
