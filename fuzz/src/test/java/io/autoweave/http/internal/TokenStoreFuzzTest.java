package io.autoweave.http.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.fuzz.Contract;

/**
 * The API tokens configuration value ({@code NAME:ROLE:SALT:HASH} entries). Contract: a token store, or an
 * {@link IllegalArgumentException} naming the entry by position, never echoing its salt or hash (the message goes
 * to the log and to health details).
 */
class TokenStoreFuzzTest {

    @ParserFuzzTest
    void tokenEntriesParseOrAreRefusedWithoutEchoingSecrets(FuzzedDataProvider data) {
        int count = data.consumeInt(0, 4);
        String[] entries = new String[count];
        for (int i = 0; i < count; i++) {
            entries[i] = data.consumeBoolean() ? data.consumeString(120)
                    : data.consumeString(10) + ":" + data.consumeString(10) + ":" + data.consumeString(20) + ":"
                            + data.consumeString(48);
        }
        try {
            TokenStore.parse(entries);
        } catch (IllegalArgumentException e) {
            Contract.explainedAt(e, "api token #");
            for (String entry : entries) {
                String[] p = entry.trim().split(":");
                if (p.length == 4) {
                    // the name and role are shown on purpose, quoted and possibly cleaned of control characters: a
                    // secret that is part of them as shown proves nothing
                    String name = printable(p[0].trim());
                    String role = printable(p[1].trim());
                    for (String secret : new String[] {p[2], p[3]}) {
                        boolean shownAnyway = name.contains(secret) || role.contains(secret)
                                || name.contains(printable(secret)) || role.contains(printable(secret));
                        assertFalse(secret.length() >= 8 && !shownAnyway && e.getMessage().contains(secret),
                                () -> "refusal echoes a salt or hash: " + e.getMessage());
                    }
                }
            }
        }
    }

    private static String printable(String s) {
        return s.codePoints().filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
