package io.autoweave.commons.json;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.fuzz.Contract;

/**
 * The JSON reader (request bodies, replay files, journal lines). Contract: a value, or a {@link
 * JsonParser.SyntaxException} at a column inside the text (or just past its end); what parses survives a
 * {@link Json#write} round trip unchanged, so what the runtime writes it can read back.
 */
class JsonParserFuzzTest {

    @ParserFuzzTest
    void jsonParsesOrIsRefusedAtAColumnAndRoundTrips(byte[] data) {
        String text = Contract.text(data);
        Object value;
        try {
            value = JsonParser.parse(text);
        } catch (JsonParser.SyntaxException e) {
            Contract.explainedAt(e, "column " + e.column + ": ");
            assertTrue(e.column >= 1 && e.column <= text.length() + 1, () -> "column outside the text: " + e.getMessage());
            return;
        }
        String written = Json.write(value);
        Contract.sameAfterRoundTrip(value, JsonParser.parse(written), "value " + written);
    }
}
