package io.autoweave.auth.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.autoweave.fuzz.Contract;

/**
 * The configured password hash ({@code pbkdf2-sha256$ITERATIONS$SALT$HASH}). Contract: a hash that formats back to
 * the same value, or an {@link IllegalArgumentException} saying what a valid value looks like without echoing the
 * configured one.
 */
class PasswordHashFuzzTest {

    @FuzzTest
    void passwordHashesParseAndFormatBackOrAreRefusedWithoutEcho(byte[] data) {
        String text = Contract.text(data);
        PasswordHash hash;
        try {
            hash = PasswordHash.parse(text);
        } catch (IllegalArgumentException e) {
            Contract.explained(e);
            assertFalse(text.trim().length() >= 8 && e.getMessage().contains(text.trim()), "refusal echoes the hash");
            return;
        }
        PasswordHash again = PasswordHash.parse(hash.format());
        assertEquals(hash.iterations, again.iterations);
        assertEquals(hash.format(), again.format());
        assertArrayEquals(hash.format().getBytes(), again.format().getBytes());
    }
}
