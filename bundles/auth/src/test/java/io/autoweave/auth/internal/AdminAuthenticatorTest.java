package io.autoweave.auth.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class AdminAuthenticatorTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static AuthConfig defaults() {
        return new AuthConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return AuthConfig.class;
            }

            @Override
            public String admin_user() {
                return "admin";
            }

            @Override
            public String admin_password_hash() {
                return "";
            }

            @Override
            public int failures_per_minute() {
                return 10;
            }
        };
    }

    @Test
    public void aPasswordFromTheEnvironmentIsHashedStoredAndAccepted() throws Exception {
        Path data = tmp.newFolder().toPath();
        AdminAuthenticator a = new AdminAuthenticator(defaults(), data, "a-long-enough-pw");
        assertEquals(Optional.of("admin"), a.authenticate("admin", "a-long-enough-pw".toCharArray()));
        assertFalse(a.authenticate("admin", "wrong-password-x".toCharArray()).isPresent());
        assertTrue(Files.readString(data.resolve("security/admin.hash")).startsWith("pbkdf2-sha256$"));
    }

    @Test
    public void aTooShortPasswordFromTheEnvironmentIsIgnoredAndTheStoredOneStays() throws Exception {
        Path data = tmp.newFolder().toPath();
        new AdminAuthenticator(defaults(), data, "a-long-enough-pw").authenticate("admin", "x".toCharArray());
        String stored = Files.readString(data.resolve("security/admin.hash"));
        // embedded without the launcher's check: the component still comes up, on the stored password
        AdminAuthenticator a = new AdminAuthenticator(defaults(), data, "short");
        assertFalse(a.authenticate("admin", "short".toCharArray()).isPresent());
        assertEquals(Optional.of("admin"), a.authenticate("admin", "a-long-enough-pw".toCharArray()));
        assertEquals(stored, Files.readString(data.resolve("security/admin.hash")));
    }
}
