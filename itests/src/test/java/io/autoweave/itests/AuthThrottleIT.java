package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Base64;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Brute force against the login: past the failure limit (per client address and per user, shared by the HTTP API and
 * the Web Console) wrong credentials get 429 with Retry-After, and right credentials still pass at once. Its own
 * runtime: the limit holds the loopback address for a minute, which would disturb other tests.
 */
public class AuthThrottleIT {
    private static final int LIMIT = 5;

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness().config("io.autoweave.auth.cfg",
            "failures.per.minute=" + LIMIT + "\n");

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
    }

    private static int statusOf(String path, String authorization) throws Exception {
        return RuntimeHarness.request("GET", RUNTIME.baseUrl() + path, authorization, null).status();
    }

    /** Sends wrong credentials until 429; returns how many were answered 401 first. */
    private static int guessUntilThrottled(String path, String user) throws Exception {
        int refused = 0;
        for (int attempt = 0; attempt < 4 * LIMIT; attempt++) {
            int status = statusOf(path, basic(user, "wrong-" + attempt));
            if (status == 429) {
                return refused;
            }
            assertEquals(401, status);
            refused++;
        }
        throw new AssertionError("no 429 after " + 4 * LIMIT + " wrong passwords on " + path);
    }

    @Test
    public void pastTheLimitWrongCredentialsGet429AndRightOnesStillPassOnTheApiAndTheConsole() throws Exception {
        RuntimeHarness.await("the console up", 60, () -> {
            try {
                return statusOf("/system/console/aw-devices", basic("admin", RuntimeHarness.ADMIN_PASSWORD)) == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals("the limit counts failures only", LIMIT - 1, guessUntilThrottled("/api/v1/status", "admin"));

        RuntimeHarness.Response r = RuntimeHarness.request("GET", RUNTIME.baseUrl() + "/api/v1/status",
                basic("admin", "still-wrong"), null);
        assertEquals(429, r.status());
        assertTrue(r.body(), r.body().contains("\"error\":\"too_many_failures\""));
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(RUNTIME.baseUrl()
                + "/api/v1/status").openConnection();
        c.setRequestProperty("Authorization", "Bearer guessed-token");
        assertEquals(429, c.getResponseCode());
        long retryAfter = Long.parseLong(c.getHeaderField("Retry-After"));
        assertTrue("Retry-After within the minute: " + retryAfter, retryAfter >= 1 && retryAfter <= 60);

        // right credentials are never limited: at once, on both surfaces, while wrong ones are still refused
        assertEquals(200, statusOf("/api/v1/status", basic("admin", RuntimeHarness.ADMIN_PASSWORD)));
        assertEquals(200, statusOf("/system/console/aw-devices", basic("admin", RuntimeHarness.ADMIN_PASSWORD)));
        assertEquals(429, statusOf("/system/console/aw-devices", basic("admin", "wrong-again")));
        assertEquals(429, statusOf("/metrics", basic("someone", "wrong")));
        assertEquals(200, statusOf("/metrics", basic("admin", RuntimeHarness.ADMIN_PASSWORD)));
        // a browser's first request carries no credentials: that is a login prompt, not a guess
        assertEquals(401, statusOf("/system/console/aw-devices", null));
    }
}
