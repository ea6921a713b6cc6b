package io.autoweave.commons.ident;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;

public class IdentifiersTest {

    private static String refused(String name) {
        try {
            Identifiers.symbolicName(name);
            fail("accepted " + name);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Test
    public void symbolicNamesFollowTheOsgiGrammar() {
        assertEquals("com.example.plugin", Identifiers.symbolicName("com.example.plugin"));
        assertEquals("a-b_c.1", Identifiers.symbolicName("a-b_c.1"));
        for (String bad : new String[] { "*", "\u2603", "com.example;evil=1", "com..x", ".x", "x.", "a b", "../x",
                "a/b", "" }) {
            assertTrue(bad, refused(bad).length() > 0);
        }
        assertTrue(refused("x".repeat(3000)).contains("at most 255"));
        assertTrue("shows what was sent as printable ASCII", refused("\u2603yy").contains("'?yy' is not"));
        assertTrue("never echoes more than a short prefix", refused("\u2603" + "y".repeat(200) + "*").length() < 300);
    }

    @Test
    public void signaturesAre64HexDigits() {
        String sig = "a".repeat(64);
        assertEquals(sig, Identifiers.signature("A".repeat(64)));
        for (String bad : new String[] { "a".repeat(63), "g".repeat(64), "*", "" }) {
            try {
                Identifiers.signature(bad);
                fail(bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains("64 hex digits"));
            }
        }
    }
}
