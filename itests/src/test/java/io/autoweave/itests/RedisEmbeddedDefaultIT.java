package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** The embedded default: with no Redis configured the Redis bundle is part of the runtime, journals, and says so. */
public class RedisEmbeddedDefaultIT {
    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    @Test
    public void withNoRedisConfiguredEventsStayInTheLogAndTheRuntimeIsReady() throws Exception {
        Bundle redis = null;
        for (Bundle b : RUNTIME.context().getBundles()) {
            if ("io.autoweave.redis".equals(b.getSymbolicName())) {
                redis = b;
            }
        }
        assertNotNull("the Redis bundle is part of the runtime", redis);
        assertEquals(Bundle.ACTIVE, redis.getState());
        assertEquals(200, RUNTIME.get("/health/ready", null, null).status());

        ServiceReference<?>[] refs = RUNTIME.context().getServiceReferences((String) null,
                "(&(osgi.command.scope=aw)(osgi.command.function=redis))");
        assertNotNull("the aw:redis shell command is registered", refs);
        Object command = RUNTIME.context().getService(refs[0]);
        String state = (String) command.getClass().getMethod("redis").invoke(command);
        System.out.println("aw:redis with no Redis configured:\n" + state);
        assertTrue(state, state.contains("publisher: LOG_ONLY"));
        assertTrue(state, state.contains("no Redis configured"));
        assertTrue(state, state.contains("consumer bridge: off"));
    }
}
