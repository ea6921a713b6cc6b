package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * API tokens over real HTTP and through Gogo: made by an admin via {@code POST /api/v1/tokens}, used, still valid
 * after an operator creates {@code DATA/etc/io.autoweave.http.cfg} (which used to revoke every token silently),
 * listed without secrets, revoked, then refused.
 */
public class ApiTokensIT {

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    private static final Pattern TOKEN = Pattern.compile("\"token\":\"(awt_[A-Za-z0-9_-]+)\"");

    private static String admin() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + RuntimeHarness.ADMIN_PASSWORD).getBytes());
    }

    private static RuntimeHarness.Response call(String method, String path, String auth, String body) throws Exception {
        return RuntimeHarness.request(method, RUNTIME.baseUrl() + path, auth, body);
    }

    @Test
    public void aTokenMadeOverRestSurvivesANewConfigurationFileAndIsRefusedOnceRevoked() throws Exception {
        RuntimeHarness.Response made = call("POST", "/api/v1/tokens", admin(), "{\"name\":\"grafana\",\"role\":\"viewer\"}");
        assertEquals(made.body(), 201, made.status());
        Matcher m = TOKEN.matcher(made.body());
        assertTrue(made.body(), m.find());
        String bearer = "Bearer " + m.group(1);
        assertEquals(200, call("GET", "/api/v1/status", bearer, null).status());

        // a viewer may not see or make tokens
        assertEquals(403, call("GET", "/api/v1/tokens", bearer, null).status());
        assertEquals(403, call("POST", "/api/v1/tokens", bearer, "{\"name\":\"x\",\"role\":\"admin\"}").status());

        // the operator adds a configuration file with one valid setting; wait until it is in force (small bodies
        // are refused with 413), then the token still works
        Path cfg = RUNTIME.dataDir().resolve("etc/io.autoweave.http.cfg");
        Files.writeString(cfg, "# limits only\nmax.request.bytes=64\n");
        String big = "{\"name\":\"padding-padding-padding\",\"role\":\"viewer\",\"x\":\"" + "y".repeat(64) + "\"}";
        RuntimeHarness.await("io.autoweave.http.cfg in force", 30, () -> {
            try {
                return call("POST", "/api/v1/tokens", admin(), big).status() == 413;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals("the token survives the configuration file", 200, call("GET", "/api/v1/status", bearer, null).status());

        RuntimeHarness.Response list = call("GET", "/api/v1/tokens", admin(), null);
        assertEquals(200, list.status());
        assertEquals("{\"tokens\":[{\"name\":\"grafana\",\"role\":\"viewer\"}]}", list.body());
        String stored = Files.readString(RUNTIME.dataDir().resolve("security/api-tokens"));
        assertFalse("only the hash is stored", stored.contains(m.group(1)));

        assertEquals(409, call("POST", "/api/v1/tokens", admin(), "{\"name\":\"grafana\",\"role\":\"admin\"}").status());
        assertEquals(400, call("POST", "/api/v1/tokens", admin(), "{\"name\":\"x\",\"role\":\"root\"}").status());
        assertEquals(404, call("DELETE", "/api/v1/tokens/nobody", admin(), null).status());

        RuntimeHarness.Response revoked = call("DELETE", "/api/v1/tokens/grafana", admin(), null);
        assertEquals(revoked.body(), 200, revoked.status());
        assertEquals("refused once revoked", 401, call("GET", "/api/v1/status", bearer, null).status());
        Files.delete(cfg);
    }

    @Test
    public void theShellMakesListsAndRevokesTokens() throws Exception {
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            String made = String.valueOf(gogo.run("aw:token ci operator"));
            Matcher m = Pattern.compile("awt_[A-Za-z0-9_-]+").matcher(made);
            assertTrue(made, m.find());
            String bearer = "Bearer " + m.group();
            assertEquals(200, call("GET", "/api/v1/status", bearer, null).status());
            String listed = String.valueOf(gogo.run("aw:tokens"));
            assertTrue(listed, listed.contains("ci (operator)"));
            assertFalse("never the secret", listed.contains(m.group()));
            assertTrue(String.valueOf(gogo.run("aw:token-revoke ci")).contains("revoked 'ci'"));
            assertEquals(401, call("GET", "/api/v1/status", bearer, null).status());
            try {
                gogo.run("aw:token-revoke ci");
                throw new AssertionError("revoking twice should say there is no such token");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("no API token named 'ci'"));
            }
        }
    }
}
