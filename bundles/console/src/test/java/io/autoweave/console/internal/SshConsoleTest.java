package io.autoweave.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class SshConsoleTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void anAuthorizedKeysFileOthersMayWriteIsNotTrusted() throws Exception {
        Path keys = tmp.newFile("authorized_keys").toPath();
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        assertNull(SshConsole.unsafe(keys));
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-rw-r--"));
        assertTrue(SshConsole.unsafe(keys), SshConsole.unsafe(keys).endsWith("chmod 600 it"));
        assertNull("no file: no keys, nothing unsafe", SshConsole.unsafe(tmp.getRoot().toPath().resolve("none")));
    }

    @Test
    public void theHostKeyIsMadeOnceReadableOnlyByItsOwnerAndKept() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("ssh_host_key");
        KeyPair first = SshConsole.hostKeys(file).loadKeys(null).iterator().next();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        KeyPair again = SshConsole.hostKeys(file).loadKeys(null).iterator().next();
        assertEquals(first.getPublic(), again.getPublic());
    }

    @Test
    public void aPortOutOfRangeIsReportedWithWhatToFix() {
        assertEquals("port=0: must be from 1 to 65535", SshConsole.validate(config(0, 10)));
        assertEquals("auth.failures.per.minute=0: must be 1 or more", SshConsole.validate(config(8101, 0)));
        assertNull(SshConsole.validate(config(8101, 10)));
    }

    private static SshConfig config(int port, int failures) {
        return new SshConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SshConfig.class;
            }

            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public int auth_failures_per_minute() {
                return failures;
            }

            @Override
            public int idle_timeout_minutes() {
                return 30;
            }
        };
    }
}
