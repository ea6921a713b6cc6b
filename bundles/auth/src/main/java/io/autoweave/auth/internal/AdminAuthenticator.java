package io.autoweave.auth.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.autoweave.auth.Authenticator;

/**
 * The administrator account. PBKDF2 is slow by design, and HTTP Basic sends the password with every request, so
 * a successful check is remembered as an HMAC of the password under a key that lives only in memory; a wrong
 * password always pays the full derivation.
 */
@Component(service = Authenticator.class, configurationPid = "io.autoweave.auth",
        configurationPolicy = org.osgi.service.component.annotations.ConfigurationPolicy.REQUIRE)
@Designate(ocd = AuthConfig.class)
public final class AdminAuthenticator implements Authenticator {

    private static final Logger LOG = LoggerFactory.getLogger(AdminAuthenticator.class);

    private final String user;
    /** Completes when the hash is known (derived off the start path when the password came from the environment). */
    private final CompletableFuture<PasswordHash> hash;
    private final byte[] memoKey = new byte[32];
    private volatile byte[] memo;

    @Activate
    public AdminAuthenticator(BundleContext ctx, AuthConfig config) throws IOException {
        this(config, Path.of(requireData(ctx)), System.getenv(CredentialStore.ENV));
    }

    AdminAuthenticator(AuthConfig config, Path dataDir, String envPassword) throws IOException {
        if (config.admin_user() == null || config.admin_user().isBlank() || config.admin_user().contains(":")) {
            throw new IllegalArgumentException("admin.user must be a non-empty name without ':'");
        }
        SecureRandom random = new SecureRandom();
        random.nextBytes(memoKey);
        this.user = config.admin_user();
        this.hash = new CredentialStore(dataDir, random, System.out).resolve(config.admin_password_hash(),
                envPassword, user);
    }

    private static String requireData(BundleContext ctx) {
        String data = ctx.getProperty("autoweave.data");
        if (data == null) {
            throw new IllegalStateException("framework property autoweave.data is not set (start with the launcher)");
        }
        return data;
    }

    @Override
    public Optional<String> authenticate(String name, char[] password) {
        if (name == null || password == null) {
            return Optional.empty();
        }
        byte[] tag = tag(password);
        byte[] known = memo;
        if (known != null && MessageDigest.isEqual(known, tag)) {
            return user.equals(name) ? Optional.of(user) : Optional.empty();
        }
        PasswordHash stored;
        try {
            stored = hash.join();
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
