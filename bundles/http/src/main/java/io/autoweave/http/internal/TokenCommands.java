package io.autoweave.http.internal;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo: {@code aw:token NAME ROLE} makes an API token, stores only its hash in the configuration, shows it once. */
@Component(service = TokenCommands.class, property = { "osgi.command.scope=aw", "osgi.command.function=token",
        "osgi.command.function=tokens" })
public final class TokenCommands {

    private final ConfigurationAdmin configAdmin;
    private final SecureRandom random = new SecureRandom();

    @Activate
    public TokenCommands(@Reference ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    @org.apache.felix.service.command.Descriptor("create an API token (shown once; only its hash is stored)")
    public String token(@org.apache.felix.service.command.Descriptor("token name, e.g. grafana") String name,
            @org.apache.felix.service.command.Descriptor("viewer, operator or admin") String role) throws IOException {
        String[] made = TokenStore.newToken(name, Role.parse(role), random);
        Configuration c = configAdmin.getConfiguration(ApiSecurityContext.PID, "?");
        Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
        List<String> tokens = new ArrayList<>(existing(props));
        if (tokens.stream().anyMatch(t -> t.startsWith(name + ":"))) {
            throw new IllegalArgumentException("a token named '" + name + "' exists; pick another name");
        }
        tokens.add(made[1]);
        props.put("tokens", tokens.toArray(String[]::new));
        c.update(props);
        return "token for '" + name + "' (" + role + "), shown only now:\n" + made[0];
    }

    @org.apache.felix.service.command.Descriptor("list API token names and roles")
    public List<String> tokens() throws IOException {
        Configuration c = configAdmin.getConfiguration(ApiSecurityContext.PID, "?");
        List<String> out = new ArrayList<>();
        for (String t : existing(c.getProperties())) {
            String[] p = t.split(":");
            out.add(p[0] + " (" + (p.length > 1 ? p[1] : "?") + ")");
        }
        return out;
    }

    private static List<String> existing(Dictionary<String, Object> props) {
        Object v = props == null ? null : props.get("tokens");
        if (v instanceof String[] a) {
            return Arrays.asList(a);
        }
        if (v instanceof String s && !s.isBlank()) {
            return List.of(s);
        }
        if (v instanceof java.util.Collection<?> col) {
            return col.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
