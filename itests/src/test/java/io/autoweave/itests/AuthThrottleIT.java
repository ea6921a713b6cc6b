package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.ClassRule;
import org.junit.Test;

/**
 * Failed authentications from one address are throttled with 429 (its own runtime: the throttle holds the
 * loopback address for a minute, which would disturb other tests).
 */
public class AuthThrottleIT {

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness().config("io.autoweave.http.config",
            "auth.failures.per.minute=I\"5\"\n");

    @Test
    public void repeatedFailuresFromOneAddressAreThrottledWith429() throws Exception {
        int last = 0;
        int attempts = 0;
        while (attempts < 20 && last != 429) {
            last = RuntimeHarness.request("GET", RUNTIME.baseUrl() + "/api/v1/status", "Bearer wrong-" + attempts, null)
                    .status();
            attempts++;
        }
        assertEquals(429, last);
        assertTrue("throttled only after the configured 5 failures (or the default 10 before the file applied): "
                + attempts, attempts > 5);
        RuntimeHarness.Response r = RuntimeHarness.request("GET", RUNTIME.baseUrl() + "/metrics", "Bearer also-wrong", null);
        assertEquals(429, r.status());
        assertTrue(r.body(), r.body().contains("\"error\":\"too_many_failures\""));
    }
}
