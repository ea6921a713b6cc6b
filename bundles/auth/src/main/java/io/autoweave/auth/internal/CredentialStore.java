package io.autoweave.auth.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * Where the administrator's password hash comes from, in order: configuration; the environment variable
 * {@code AUTOWEAVE_ADMIN_PASSWORD} (hashed and stored, replacing an earlier one); the stored hash
 * ({@code DATA/security/admin.hash}); otherwise a fresh random password, printed once and stored as a hash.
 */
final class CredentialStore {
    static final String ENV = "AUTOWEAVE_ADMIN_PASSWORD";
    static final int MIN_LENGTH = 12;

    private final Path file;
    private final SecureRandom random;
    private final PrintStream operator;

    CredentialStore(Path dataDir, SecureRandom random, PrintStream operator) {
        this.file = dataDir.resolve("security").resolve("admin.hash");
        this.random = random;
        this.operator = operator;
    }

    /**
     * The hash to check passwords against. A configured or stored hash is parsed at once; a password from the
     * environment or a generated one is derived (PBKDF2, about 0.3 s) and stored on a thread of its own, so the
     * start does not wait for it: the first login does, if it comes that early. A generated password is printed
     * here, before the runtime reports ready.
     */
    CompletableFuture<PasswordHash> resolve(String configuredHash, String envPassword, String user)
            throws IOException {
        if (configuredHash != null && !configuredHash.isBlank()) {
            return CompletableFuture.completedFuture(PasswordHash.parse(configuredHash));
        }
        if (envPassword != null && !envPassword.isEmpty()) {
            if (envPassword.length() < MIN_LENGTH) {
                throw new IllegalArgumentException(ENV + " must be at least " + MIN_LENGTH + " characters long");
            }
            return deriveAndStore(envPassword.toCharArray());
        }
        if (Files.exists(file)) {
            return CompletableFuture.completedFuture(PasswordHash.parse(Files.readString(file,
                    StandardCharsets.US_ASCII)));
        }
        byte[] raw = new byte[18];
        random.nextBytes(raw);
        char[] pw = Base64.getUrlEncoder().withoutPadding().encodeToString(raw).toCharArray();
        CompletableFuture<PasswordHash> h = deriveAndStore(pw.clone());
        try {
            operator.println("[autoweave] ============================================================");
            operator.println("[autoweave] First start: generated the administrator password.");
            operator.println("[autoweave]   user:     " + user);
            operator.println("[autoweave]   password: " + new String(pw));
            operator.println("[autoweave] It is shown only now; only a salted hash is kept (" + file + ").");
            operator.println("[autoweave] To set your own: start with AUTOWEAVE_ADMIN_PASSWORD=... once.");
            operator.println("[autoweave] ============================================================");
            operator.flush();
            return h;
        } finally {
            PasswordHash.wipe(pw);
        }
    }

    /** Derives the hash of {@code pw} and stores it, on a daemon thread; wipes {@code pw} when done. */
    private CompletableFuture<PasswordHash> deriveAndStore(char[] pw) {
        CompletableFuture<PasswordHash> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                PasswordHash h = PasswordHash.create(pw, PasswordHash.DEFAULT_ITERATIONS, random);
                store(h);
                result.complete(h);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                PasswordHash.wipe(pw);
            }
        }, "autoweave-admin-password-hash");
        t.setDaemon(true);
        t.start();
        return result;
    }

    private void store(PasswordHash h) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("admin.hash.tmp");
        Files.writeString(tmp, h.format() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the data directory's own permissions apply
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
