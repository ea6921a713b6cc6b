package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import org.junit.ClassRule;
import org.junit.Test;

/** /api/v1 and /metrics over real HTTP: tokens with roles, JSON errors, rate limiting of failed logins. */
public class HttpApiIT {

    static final String VIEWER_TOKEN = "awt_viewer_" + Long.toHexString(new SecureRandom().nextLong());
    static final String OPERATOR_TOKEN = "awt_operator_" + Long.toHexString(new SecureRandom().nextLong());

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness().config("io.autoweave.http.config",
            "tokens=[\"" + line("dashboard", "viewer", VIEWER_TOKEN) + "\",\"" + line("ci", "operator", OPERATOR_TOKEN)
                    + "\"]\n");

    /** The configuration line an operator would get from aw:token, computed independently here. */
    static String line(String name, String role, String token) {
        try {
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            byte[] hash = md.digest(token.getBytes(StandardCharsets.UTF_8));
            return name + ":" + role + ":" + Base64.getEncoder().encodeToString(salt) + ":"
                    + Base64.getEncoder().encodeToString(hash);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private RuntimeHarness.Response call(String method, String path, String auth) throws Exception {
        return RuntimeHarness.request(method, RUNTIME.baseUrl() + path, auth, method.equals("GET") ? null : "{}");
    }

    private void awaitTokensConfigured() throws Exception {
        RuntimeHarness.await("the token configuration to be applied", 30, () -> {
            try {
                return call("GET", "/api/v1/status", "Bearer " + VIEWER_TOKEN).status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    public void aViewerTokenReadsStatusAsJson() throws Exception {
        awaitTokensConfigured();
        RuntimeHarness.Response r = call("GET", "/api/v1/status", "Bearer " + VIEWER_TOKEN);
        assertEquals(200, r.status());
        assertTrue(r.body(), r.body().contains("\"security\":\"osgi\""));
        assertTrue(r.body(), r.body().contains("\"caller\":{\"name\":\"dashboard\",\"role\":\"viewer\"}")
                || r.body().contains("\"role\":\"viewer\""));
    }

    @Test
    public void missingOrWrongCredentialsGet401WithAJsonBody() throws Exception {
        RuntimeHarness.Response none = call("GET", "/api/v1/status", null);
        assertEquals(401, none.status());
        assertTrue(none.body(), none.body().startsWith("{\"error\":\"unauthorized\""));
        assertEquals(401, call("GET", "/api/v1/status", "Bearer awt_not_a_token").status());
        assertEquals(401, call("GET", "/metrics", null).status());
        assertEquals(401, call("GET", "/api/v1/status", "Basic " + Base64.getEncoder()
                .encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8))).status());
    }

    @Test
    public void aViewerCannotWriteAndGets403() throws Exception {
        awaitTokensConfigured();
        RuntimeHarness.Response r = call("POST", "/api/v1/status", "Bearer " + VIEWER_TOKEN);
        assertEquals(403, r.status());
        assertTrue(r.body(), r.body().contains("\"error\":\"forbidden\"") && r.body().contains("needs operator"));
    }

    @Test
    public void theAdministratorsBasicCredentialsWork() throws Exception {
        assertEquals(200, RuntimeHarness.http(RUNTIME.baseUrl() + "/api/v1/status", "admin",
                RuntimeHarness.ADMIN_PASSWORD).status());
    }

    @Test
    public void metricsAreServedInPrometheusFormatToATokenHolder() throws Exception {
        awaitTokensConfigured();
        RuntimeHarness.Response r = call("GET", "/metrics", "Bearer " + VIEWER_TOKEN);
        assertEquals(200, r.status());
        assertTrue(r.body(), r.body().contains("# TYPE autoweave_bundles gauge"));
        assertTrue(r.body(), r.body().contains("autoweave_bundles{state=\"active\"}"));
    }

    @Test
    public void unknownApiPathsAnswerJson404() throws Exception {
        awaitTokensConfigured();
        RuntimeHarness.Response r = call("GET", "/api/v1/nothing", "Bearer " + VIEWER_TOKEN);
        assertEquals(404, r.status());
        assertTrue(r.body(), r.body().contains("\"error\":\"not_found\""));
    }
}
