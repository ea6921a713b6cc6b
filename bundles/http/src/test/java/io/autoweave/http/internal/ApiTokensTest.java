package io.autoweave.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ApiTokensTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aCreatedTokenWorksSurvivesARestartAndStopsWorkingWhenRevoked() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("security/api-tokens");
        ApiTokens tokens = new ApiTokens(file);
        String token = tokens.create("grafana", "viewer");
        assertEquals("grafana", tokens.verify(token).orElseThrow().name());
        assertEquals(Role.VIEWER, tokens.verify(token).orElseThrow().role());
        String stored = Files.readString(file);
        assertFalse("only the hash is stored", stored.contains(token));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

        ApiTokens restarted = new ApiTokens(file);
        assertTrue(restarted.verify(token).isPresent());
        assertEquals(1, restarted.list().size());

        assertTrue(restarted.revoke("grafana"));
        assertTrue(restarted.verify(token).isEmpty());
        assertFalse("nothing left to revoke", restarted.revoke("grafana"));
        assertTrue(new ApiTokens(file).list().isEmpty());
    }

    @Test
    public void namesAreUniqueAndBadRolesOrNamesSayWhatToFix() {
        ApiTokens tokens = new ApiTokens(tmp.getRoot().toPath().resolve("api-tokens"));
        tokens.create("ops", "operator");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tokens.create("ops", "viewer"));
        assertTrue(e.getMessage(), e.getMessage().contains("exists"));
        assertThrows(IllegalArgumentException.class, () -> tokens.create("ops x", "viewer"));
        assertThrows(IllegalArgumentException.class, () -> tokens.create("x", "superuser"));
        assertEquals(1, tokens.list().size());
    }

    @Test
    public void aLineBrokenByHandCostsOnlyThatToken() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("api-tokens");
        ApiTokens tokens = new ApiTokens(file);
        String token = tokens.create("good", "admin");
        Files.writeString(file, Files.readString(file) + "broken:line\n");
        ApiTokens reread = new ApiTokens(file);
        assertTrue(reread.verify(token).isPresent());
        assertEquals(1, reread.list().size());
    }
}
