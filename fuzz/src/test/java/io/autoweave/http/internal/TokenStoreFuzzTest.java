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

    /** The fixed text of TokenStore's and Role's refusals. */
    private static final String[] GUIDANCE = { "unknown role", "use viewer, operator or admin",
        "(make one with: aw:token NAME ROLE)", "expected NAME:ROLE:SALT:HASH",
        "salt must be >= 8 bytes and hash a SHA-256 (32 bytes)" };

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
            // the refused entry is named by position; only its own salt and hash must stay out of the message (another
            // entry's secret may equal a name or role shown on purpose)
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("api token #(\\d+)").matcher(e.getMessage());
            if (m.find()) {
                int n = Integer.parseInt(m.group(1));
                String entry = n >= 1 && n <= entries.length ? entries[n - 1] : null;
                String[] p = entry == null ? new String[0] : entry.trim().split(":");
                if (p.length == 4) {
                    // the name and role are shown on purpose, quoted, and the guidance is fixed text: what is left
                    // once they are taken out must not hold the salt or hash (a secret may span a shown name and
                    // the quote after it, or equal a word of the guidance: that proves nothing)
                    String rest = e.getMessage().replace("'" + p[0] + "'", "").replace("'" + p[1] + "'", "");
                    for (String fixed : GUIDANCE) {
                        rest = rest.replace(fixed, "");
                    }
                    for (String secret : new String[] {p[2], p[3]}) {
                        boolean shownAnyway = p[0].contains(secret) || p[1].contains(secret);
                        String left = rest;
                        assertFalse(secret.length() >= 8 && !shownAnyway && left.contains(secret),
                                () -> "refusal echoes a salt or hash: " + e.getMessage());
                    }
                }
            }
        }
    }
}
