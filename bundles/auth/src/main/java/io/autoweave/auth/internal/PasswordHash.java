package io.autoweave.auth.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted PBKDF2-HMAC-SHA256 password hashes in the text form {@code pbkdf2-sha256$ITERATIONS$SALT$HASH}
 * (salt and hash in unpadded base64). That string is all that is ever stored.
 */
final class PasswordHash {
    static final String SCHEME = "pbkdf2-sha256";
    static final int DEFAULT_ITERATIONS = 210_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    final int iterations;
    final byte[] salt;
    final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    static PasswordHash create(char[] password, int iterations, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations));
    }

    /**
     * Parses the stored form.
     *
     * @throws IllegalArgumentException saying what a valid value looks like
     */
    static PasswordHash parse(String text) {
        String[] p = text == null ? new String[0] : text.trim().split("\\$");
        try {
            if (p.length == 4 && SCHEME.equals(p[0])) {
                int it = Integer.parseInt(p[1]);
                byte[] salt = Base64.getDecoder().decode(p[2]);
                byte[] hash = Base64.getDecoder().decode(p[3]);
                if (it >= 10_000 && salt.length >= 8 && hash.length == HASH_BYTES) {
                    return new PasswordHash(it, salt, hash);
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through to the helpful message
        }
        throw new IllegalArgumentException("not a password hash: expected " + SCHEME
                + "$ITERATIONS(>=10000)$BASE64_SALT$BASE64_SHA256 (README.md, 'Credentials', shows how to make one)");
    }

    boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations));
    }

    String format() {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        } finally {
            spec.clearPassword();
        }
    }

    static void wipe(char[] secret) {
        if (secret != null) {
            Arrays.fill(secret, '\0');
        }
    }
}
