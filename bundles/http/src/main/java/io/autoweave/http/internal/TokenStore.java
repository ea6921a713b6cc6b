package io.autoweave.http.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * API tokens, configured as {@code NAME:ROLE:SALT:HASH} where HASH = base64(SHA-256(salt || token)). Tokens are
 * 32 random bytes, so a salted fast hash is enough (no stretching needed, unlike passwords). Only hashes are
 * ever configured or stored; {@link #newToken} prints the value once.
 */
final class TokenStore {

    record Entry(String name, Role role, byte[] salt, byte[] hash) {
    }

    private final List<Entry> entries;

    private TokenStore(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Parses configured entries.
     *
     * @throws IllegalArgumentException naming the bad entry (by position and name, never its hash) and the format
     */
    static TokenStore parse(String[] configured) {
        List<Entry> list = new ArrayList<>();
        if (configured != null) {
            for (int i = 0; i < configured.length; i++) {
                String line = configured[i].trim();
                if (line.isEmpty()) {
                    continue;
                }
                String[] p = line.split(":");
                try {
                    if (p.length != 4 || p[0].isBlank()) {
                        throw new IllegalArgumentException("expected NAME:ROLE:SALT:HASH");
                    }
                    Role role = Role.parse(p[1]);
                    byte[] salt = Base64.getDecoder().decode(p[2]);
                    byte[] hash = Base64.getDecoder().decode(p[3]);
                    if (salt.length < 8 || hash.length != 32) {
                        throw new IllegalArgumentException("salt must be >= 8 bytes and hash a SHA-256 (32 bytes)");
                    }
                    list.add(new Entry(p[0], role, salt, hash));
                } catch (IllegalArgumentException e) {
                    // the name only when the entry has the NAME:... shape: otherwise the first part may be a pasted
                    // hash, and ":::" splits into nothing at all
                    String name = p.length == 4 ? " ('" + p[0] + "')" : "";
                    throw new IllegalArgumentException("api token #" + (i + 1) + name + ": " + e.getMessage()
                            + " (make one with: aw:token NAME ROLE)", e);
                }
            }
        }
        return new TokenStore(list);
    }

    int size() {
        return entries.size();
    }

    List<Entry> entries() {
        return entries;
    }

    /** The principal for {@code token}; every entry is compared so timing does not tell which matched. */
    Optional<Principal> verify(String token) {
        if (token == null || token.isEmpty() || token.length() > 512) {
            return Optional.empty();
        }
        byte[] value = token.getBytes(StandardCharsets.UTF_8);
        Principal found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.hash(), hash(e.salt(), value)) && found == null) {
                found = new Principal(e.name(), e.role());
            }
        }
        return Optional.ofNullable(found);
    }

    static byte[] hash(byte[] salt, byte[] token) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            md.update(token);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new token and its configuration line: {@code [token, "NAME:ROLE:SALT:HASH"]}. */
    static String[] newToken(String name, Role role, SecureRandom random) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("token name must be 1-64 letters, digits, '.', '_' or '-'");
        }
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String token = "awt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        String line = name + ":" + role.name().toLowerCase(java.util.Locale.ROOT) + ":" + b64.encodeToString(salt) + ":"
                + b64.encodeToString(hash(salt, token.getBytes(StandardCharsets.UTF_8)));
        return new String[] { token, line };
    }
}
