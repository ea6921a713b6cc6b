package io.autoweave.http.internal;

import io.autoweave.commons.data.DataDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Dictionary;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API tokens, kept in {@code DATA/security/api-tokens} (mode 600, one {@code NAME:ROLE:SALT:HASH} line per
 * token, only hashes): runtime state like the administrator's hash, not configuration, so no configuration file or
 * console save can replace them. Created and revoked by {@code aw:token}/{@code aw:token-revoke} and
 * {@code /api/v1/tokens}. Tokens that older versions kept in Configuration Admin ({@code tokens} of
 * {@code io.autoweave.http}) move here at the first start.
 */
@Component(service = ApiTokens.class)
public final class ApiTokens {
    private static final Logger LOG = LoggerFactory.getLogger(ApiTokens.class);
    static final String FILE = "security/api-tokens";

    private final Path file;
    private final SecureRandom random = new SecureRandom();
    private volatile TokenStore store;

    /** A token as listed: never its hash. */
    record Listed(String name, Role role) {
    }

    @Activate
    public ApiTokens(BundleContext context, @Reference ConfigurationAdmin configAdmin) throws IOException {
        this(DataDirectory.orElse(context, Path.of("autoweave-data")).resolve(FILE));
        migrate(configAdmin);
    }

    ApiTokens(Path file) {
        this.file = file;
        this.store = lenient(read(file));
    }

    /** A line broken by hand costs that token only, never the others (and never the component). */
    private TokenStore lenient(List<String> lines) {
        try {
            return TokenStore.parse(lines.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            List<String> good = new ArrayList<>();
            for (String line : lines) {
                try {
                    TokenStore.parse(new String[] { line });
                    good.add(line);
                } catch (IllegalArgumentException bad) {
                    LOG.error("{}: a line is ignored: {}", file, bad.getMessage());
                }
            }
            return TokenStore.parse(good.toArray(String[]::new));
        }
    }

    Optional<Principal> verify(String token) {
        return store.verify(token);
    }

    List<Listed> list() {
        return store.entries().stream().map(e -> new Listed(e.name(), e.role())).toList();
    }

    /**
     * Makes a token; returns its value, shown once (only its salted hash is written).
     *
     * @throws IllegalArgumentException for a bad name or role, or a name in use
     */
    synchronized String create(String name, String role) {
        String[] made = TokenStore.newToken(name, Role.parse(role), random);
        List<String> lines = read(file);
        if (lines.stream().anyMatch(l -> l.startsWith(name + ":"))) {
            throw new IllegalArgumentException("a token named '" + name + "' exists; pick another name, or revoke it "
                    + "first");
        }
        lines.add(made[1]);
        write(lines);
        LOG.info("API token '{}' ({}) created", name, role);
        return made[0];
    }

    /** Revokes the token {@code name}; returns false when there is none. */
    synchronized boolean revoke(String name) {
        List<String> lines = read(file);
        boolean removed = lines.removeIf(l -> l.startsWith(name + ":"));
        if (removed) {
            write(lines);
            LOG.info("API token '{}' revoked", name);
        }
        return removed;
    }

    private void write(List<String> lines) {
        TokenStore parsed = TokenStore.parse(lines.toArray(String[]::new));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            List<String> out = new ArrayList<>();
            out.add("# AutoWeave API tokens: NAME:ROLE:SALT:HASH, hash = base64(SHA-256(salt || token)). Managed by");
            out.add("# aw:token / aw:token-revoke and /api/v1/tokens; a line removed here revokes that token.");
            out.addAll(lines);
            Files.write(tmp, out, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        store = parsed;
    }

    private static List<String> read(Path file) {
        if (!Files.exists(file)) {
            return new ArrayList<>();
        }
        try {
            List<String> lines = new ArrayList<>();
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!l.isBlank() && !l.trim().startsWith("#")) {
                    lines.add(l.trim());
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Moves tokens older versions kept in Configuration Admin into the file, then removes them there; a
     * {@code tokens} line an operator wrote into io.autoweave.http.cfg stays (and keeps working, see
     * {@link ApiSecurityContext}).
     */
    private synchronized void migrate(ConfigurationAdmin configAdmin) throws IOException {
        Configuration c = configAdmin.getConfiguration(ApiSecurityContext.PID, "?");
        Dictionary<String, Object> props = c.getProperties();
        List<String> old = configured(props == null ? null : props.get("tokens"));
        if (old.isEmpty() || props.get("felix.fileinstall.filename") != null) {
            return;
        }
        List<String> lines = read(file);
        for (String line : old) {
            String name = line.split(":", 2)[0];
            if (lines.stream().noneMatch(l -> l.startsWith(name + ":"))) {
                lines.add(line.trim());
            }
        }
        write(lines);
        props.remove("tokens");
        c.update(props);
        LOG.info("moved {} API token(s) from the configuration {} to {}", old.size(), ApiSecurityContext.PID, file);
    }

    static List<String> configured(Object v) {
        if (v instanceof String[] a) {
            return Arrays.stream(a).filter(s -> !s.isBlank()).toList();
        }
        if (v instanceof String s && !s.isBlank()) {
            return List.of(s);
        }
        if (v instanceof Collection<?> col) {
            return col.stream().map(String::valueOf).filter(s -> !s.isBlank()).toList();
        }
        return List.of();
    }
}
