package io.autoweave.commons.json;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class JsonParserTest {

    private static JsonParser.SyntaxException error(String text) {
        try {
            JsonParser.parse(text);
        } catch (JsonParser.SyntaxException e) {
            return e;
        }
        fail("expected a syntax error for " + text);
        return null;
    }

    @Test
    public void parsesObjectsArraysAndScalars() {
        Object v = JsonParser.parse(" {\"a\": [1, -2.5e1, true, false, null], \"b\": {\"c\": \"d\"}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(Arrays.asList(1L, -25.0, true, false, null), m.get("a"));
        assertEquals(Map.of("c", "d"), m.get("b"));
    }

    @Test
    public void decodesEscapes() {
        assertEquals("q\"b\\s/n\nt\tu\u00e9", JsonParser.parse("\"q\\\"b\\\\s\\/n\\nt\\tu\\u00e9\""));
    }

    @Test
    public void emptyContainers() {
        assertEquals(Map.of(), JsonParser.parse("{}"));
        assertEquals(List.of(), JsonParser.parse("[ ]"));
        assertNull(JsonParser.parse("null"));
    }

    @Test
    public void errorsCarryTheColumn() {
        assertEquals("column 6: expected ':' after key \"a\", found '1'", error("{\"a\" 1}").getMessage());
        assertEquals(9, error("{\"a\": 1,}").column);
        assertEquals("column 1: unterminated string", error("\"abc").getMessage());
        assertEquals(8, error("[1, 2] x").column);
    }

    @Test
    public void rejectsWhatStrictJsonRejects() {
        error("{'a': 1}");
        error("[01]");
        error("[1.]");
        error("{\"a\": tru}");
        error("{\"a\": 1, \"a\": 2}");
        error("\"tab\there\"");
        error("[\"\\x\"]");
        error("");
        error("99999999999999999999");
    }

    @Test
    public void deepNestingIsRefusedNotAStackOverflow() {
        assertEquals("column 65: nesting deeper than 64", error("[".repeat(10_000)).getMessage());
    }

    /** Found by JsonParserFuzzTest: 1e400 became Infinity, which Json.write then wrote as the non-JSON "Infinity". */
    @Test
    public void aNumberBeyondDoubleRangeIsRefusedAtItsColumnInsteadOfBecomingInfinity() {
        JsonParser.SyntaxException e = error("[1, -1e400]");
        assertEquals(5, e.column);
        assertEquals("column 5: number out of range: -1e400", e.getMessage());
        assertEquals(0.0, (Double) JsonParser.parse("1e-400"), 0.0);
    }
}
