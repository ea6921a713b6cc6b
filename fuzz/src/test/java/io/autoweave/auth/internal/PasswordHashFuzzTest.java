package io.autoweave.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.fuzz.Contract;

/**
 * The configured password hash ({@code pbkdf2-sha256$ITERATIONS$SALT$HASH}). Contract: a hash that formats back to
 * the same value, or an {@link IllegalArgumentException} saying what a valid value looks like without echoing the
 * configured one.
 */
class PasswordHashFuzzTest {

    @ParserFuzzTest
    void passwordHashesParseAndFormatBackOrAreRefusedWithoutEcho(byte[] data) {
        String text = Contract.text(data);
        PasswordHash hash;
        try {
            hash = PasswordHash.parse(text);
        } catch (IllegalArgumentException e) {
            Contract.explained(e);
            assertEquals(refusalOf(""), e.getMessage(), "the refusal depends on (so may echo) the configured value");
            return;
        }
        PasswordHash again = PasswordHash.parse(hash.format());
        assertEquals(hash.iterations, again.iterations);
        assertEquals(hash.format(), again.format());
    }

    private static String refusalOf(String text) {
        try {
            PasswordHash.parse(text);
            throw new AssertionError("accepted " + text);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
