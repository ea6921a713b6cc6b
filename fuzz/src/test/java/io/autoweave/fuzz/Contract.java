package io.autoweave.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

/**
 * The contract every parser harness checks on a refusal: a documented exception whose message tells the user what
 * to fix. Anything else (a NullPointerException, an IndexOutOfBounds, a StackOverflowError...) propagates and is a
 * finding.
 */
public final class Contract {
    private Contract() {
    }

    /** Input bytes as the text a user or a file would give; malformed UTF-8 becomes U+FFFD, as a reader would. */
    public static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    /** A refusal must say something: a blank or missing message would leave the user guessing. */
    public static void explained(Throwable refusal) {
        String message = refusal.getMessage();
        assertNotNull(message, () -> refusal.getClass().getName() + " without a message");
        assertTrue(!message.isBlank(), () -> refusal.getClass().getName() + " with a blank message");
    }

    /** A message must start with where it points to (e.g. {@code line 3}), so the user can find the mistake. */
    public static void explainedAt(Throwable refusal, String prefix) {
        explained(refusal);
        assertTrue(refusal.getMessage().startsWith(prefix),
                () -> "message should start with '" + prefix + "': " + refusal.getMessage());
    }

    public static void sameAfterRoundTrip(Object first, Object second, String what) {
        assertEquals(first, second, () -> what + " changed in a write/parse round trip");
    }
}
