package io.autoweave.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.security.SecureRandom;

import org.junit.Test;

public class TokenStoreTest {

    @Test
    public void aNewTokenVerifiesWithItsRoleAndOnlyItsHashIsInTheConfigLine() {
        String[] made = TokenStore.newToken("grafana", Role.VIEWER, new SecureRandom());
        TokenStore store = TokenStore.parse(new String[] { made[1] });
        assertEquals(new Principal("grafana", Role.VIEWER), store.verify(made[0]).orElseThrow());
        assertFalse(made[1].contains(made[0].substring(4)));
        assertTrue(store.verify(made[0] + "x").isEmpty());
        assertTrue(store.verify("").isEmpty());
        assertTrue(store.verify(null).isEmpty());
    }

    @Test
    public void badEntriesNameTheEntryAndTheFormat() {
        try {
            TokenStore.parse(new String[] { "ci:superuser:AAAAAAAAAAA=:AAAA" });
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("api token #1 ('ci')"));
            assertTrue(e.getMessage(), e.getMessage().contains("use viewer, operator or admin"));
        }
        try {
            TokenStore.parse(new String[] { "just-a-token" });
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("expected NAME:ROLE:SALT:HASH"));
        }
    }

    /** Found by TokenStoreFuzzTest: ":::" splits into no parts, and building the message threw an index error. */
    @Test
    public void anEntryOfOnlyColonsOrWithoutTheShapeIsRefusedByPositionWithoutEchoingIt() {
        for (String entry : new String[] { ":::", ":", "c2VjcmV0LWhhc2gtcGFzdGVkLWFsb25l" }) {
            try {
                TokenStore.parse(new String[] { "", entry });
                fail(entry);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("api token #2: expected NAME:ROLE:SALT:HASH"));
                assertFalse(e.getMessage(), e.getMessage().contains("c2VjcmV0"));
            }
        }
    }

    @Test
    public void rolesAreOrdered() {
        assertTrue(Role.ADMIN.atLeast(Role.OPERATOR));
        assertTrue(Role.OPERATOR.atLeast(Role.VIEWER));
        assertFalse(Role.VIEWER.atLeast(Role.OPERATOR));
        assertEquals(Role.OPERATOR, ApiSecurityContext.required("POST", "/api/v1/plugins/x/start"));
        assertEquals(Role.VIEWER, ApiSecurityContext.required("GET", "/api/v1/devices"));
        assertEquals(Role.ADMIN, ApiSecurityContext.required("GET", "/api/v1/admin/audit"));
    }
}
