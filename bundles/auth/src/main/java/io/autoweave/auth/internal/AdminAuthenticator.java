package io.autoweave.auth.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.autoweave.commons.data.DataDirectory;
import io.autoweave.auth.Authenticator;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;

/**
 * The administrator account. PBKDF2 is slow by design, and HTTP Basic sends the password with every request, so
 * a successful check is remembered as an HMAC of the password under a key that lives only in memory; a wrong
 * password always pays the full derivation.
 */
@Component(service = Authenticator.class, configurationPid = AdminAuthenticator.PID,
        configurationPolicy = org.osgi.service.component.annotations.ConfigurationPolicy.REQUIRE)
@Designate(ocd = AuthConfig.class)
public final class AdminAuthenticator implements Authenticator {
    static final String PID = "io.autoweave.auth";

    /**
     * The checked configuration in force. {@code hash} completes when the hash is known (derived off the start path
     * when the password came from the environment).
     */
    record Settings(String user, CompletableFuture<PasswordHash> hash, String configuredHash,
            FailureLimiter limiter) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(AdminAuthenticator.class);

    private final byte[] memoKey = new byte[32];
    private final CredentialStore store;
    private final String envPassword;
    private final LastGoodConfig<AuthConfig, Settings> config;
    private volatile Settings settings;
    private volatile byte[] memo;

    @Activate
    public AdminAuthenticator(BundleContext ctx, AuthConfig config, Map<String, Object> properties) {
        this(ctx, config, properties, Path.of(requireData(ctx)), System.getenv(CredentialStore.ENV));
    }

    AdminAuthenticator(AuthConfig config, Path dataDir, String envPassword) {
        this(null, config, Map.of(), dataDir, envPassword);
    }

    private AdminAuthenticator(BundleContext ctx, AuthConfig config, Map<String, Object> properties, Path dataDir,
            String envPassword) {
        SecureRandom random = new SecureRandom();
        random.nextBytes(memoKey);
        this.store = new CredentialStore(dataDir, random, System.out);
        this.envPassword = acceptable(envPassword);
        this.config = new LastGoodConfig<>(PID, AuthConfig.class, this::check);
        this.settings = this.config.start(ctx, config, properties);
    }

    /** A change is applied in place: the Authenticator service stays, a refused change keeps the credentials. */
    @Modified
    void modified(AuthConfig config, Map<String, Object> properties) {
        this.config.modified(config, properties).ifPresent(s -> {
            if (!s.hash().equals(settings.hash())) {
                memo = null; // the remembered password was checked against the old hash
            }
            settings = s;
        });
    }

    @Deactivate
    void deactivate() {
        config.close();
    }

    private Settings check(AuthConfig c) {
        String name = c.admin_user();
        if (name == null || name.isBlank() || name.contains(":")) {
            throw new ConfigRefusal("admin.user", name, "must be a non-empty name without ':'");
        }
        int perMinute = (int) ConfigRefusal.range("failures.per.minute", c.failures_per_minute(), 1, 1000);
        Settings old = settings;
        CompletableFuture<PasswordHash> hash;
        String configured = c.admin_password_hash() == null ? "" : c.admin_password_hash().trim();
        if (old != null && old.configuredHash().equals(configured)) {
            hash = old.hash();
        } else {
            try {
                hash = store.resolve(configured, envPassword, name);
            } catch (IllegalArgumentException e) {
                throw new ConfigRefusal(configured.isEmpty() ? CredentialStore.ENV : "admin.password.hash", "",
                        e.getMessage());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read or store the administrator password hash", e);
            }
        }
        FailureLimiter limiter = old != null && old.limiter().perMinute() == perMinute ? old.limiter()
                : new FailureLimiter(perMinute, System::nanoTime);
        return new Settings(name, hash, configured, limiter);
    }

    /**
     * The launcher refuses a too short {@code AUTOWEAVE_ADMIN_PASSWORD} before anything starts; embedded without it,
     * the value is ignored with an error rather than leaving the runtime without any administrator credential.
     */
    private static String acceptable(String envPassword) {
        if (envPassword != null && !envPassword.isEmpty() && envPassword.length() < CredentialStore.MIN_LENGTH) {
            LOG.error("{} is ignored: it must be at least {} characters long (it has {}); the stored administrator "
                    + "password stays, or one is generated and printed", CredentialStore.ENV, CredentialStore.MIN_LENGTH,
                    envPassword.length());
            return null;
        }
        return envPassword;
    }

    private static String requireData(BundleContext ctx) {
        return DataDirectory.require(ctx).toString();
    }

    @Override
    public Optional<String> authenticate(String name, char[] password) {
        if (name == null || password == null) {
            return Optional.empty();
        }
        Settings s = settings;
        String user = s.user();
        byte[] tag = tag(password);
        byte[] known = memo;
        if (known != null && MessageDigest.isEqual(known, tag)) {
            return user.equals(name) ? Optional.of(user) : Optional.empty();
        }
        PasswordHash stored;
        try {
            stored = s.hash().join();
        } catch (CompletionException e) {
            LOG.error("no administrator password hash, every login is refused: {}", e.getCause().toString());
            return Optional.empty();
        }
        boolean ok = stored.matches(password); // always derive, even for a wrong user name, to not leak which is wrong
        if (ok && user.equals(name)) {
            memo = tag;
            return Optional.of(user);
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> authenticateBasic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(header.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(decoded));
        java.util.Arrays.fill(decoded, (byte) 0);
        char[] all = new char[chars.remaining()];
        chars.get(all);
        int colon = -1;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            PasswordHash.wipe(all);
            return Optional.empty();
        }
        String name = new String(all, 0, colon);
        char[] pw = java.util.Arrays.copyOfRange(all, colon + 1, all.length);
        PasswordHash.wipe(all);
        try {
            return authenticate(name, pw);
        } finally {
            PasswordHash.wipe(pw);
        }
    }

    @Override
    public long failed(String client, String authorizationHeader) {
        FailureLimiter limiter = settings.limiter();
        String address = "address " + (client == null ? "unknown" : client);
        limiter.recordFailure(address);
        long wait = limiter.retryAfterSeconds(address);
        String user = basicUser(authorizationHeader);
        if (user != null) {
            String key = "user " + user;
            limiter.recordFailure(key);
            wait = Math.max(wait, limiter.retryAfterSeconds(key));
        }
        return wait;
    }

    /** The user name of a Basic header, or null (no header, a bearer token, not decodable). */
    static String basicUser(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            // bounded, so a guesser cannot fill the limiter's table with huge keys
            return colon <= 0 ? null : decoded.substring(0, Math.min(colon, 256));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private byte[] tag(char[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(memoKey, "HmacSHA256"));
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
            mac.update(bytes);
            if (bytes.hasArray()) {
                java.util.Arrays.fill(bytes.array(), (byte) 0);
            }
            return mac.doFinal();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
