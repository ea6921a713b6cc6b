package io.autoweave.usb.pipeline.internal.rules;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;

import org.junit.Test;

public class RuleParserTest {

    private static RuleSyntaxException error(String text) {
        try {
            RuleParser.parse(text);
        } catch (RuleSyntaxException e) {
            return e;
        }
        fail("expected a syntax error for: " + text);
        return null;
    }

    @Test
    public void parsesEveryAttributeKind() {
        List<Rule> rules = RuleParser.parse(String.join("\n",
                "# a comment line",
                "",
                "allow id 046d:*",
                "block class 08   # storage",
                "allow id 1d6b:0002 serial \"ABC\" port \"1-2.*\"",
                "block interface 03:*:*",
                "allow signature " + "3fa2".repeat(16),
                "allow manufacturer \"Logi \\\"tech\\\"\" product \"USB\\\\Receiver\"",
                "block"));
        assertEquals(7, rules.size());
        assertEquals(new Rule.Id(0x046d, -1), rules.get(0).conditions().get(0));
        assertEquals(3, rules.get(0).line());
        assertEquals("block class 08", rules.get(1).text());
        assertEquals(List.of(new Rule.Id(0x1d6b, 2), new Rule.Serial("ABC")),
                rules.get(2).conditions().subList(0, 2));
        assertEquals("1-2.*", ((Rule.Port) rules.get(2).conditions().get(2)).glob());
        assertEquals(new Rule.InterfaceClass(3), rules.get(3).conditions().get(0));
        assertEquals(new Rule.Signature("3fa2".repeat(16)), rules.get(4).conditions().get(0));
        assertEquals(List.of(new Rule.Manufacturer("Logi \"tech\""), new Rule.Product("USB\\Receiver")),
                rules.get(5).conditions());
        assertEquals(RuleTarget.BLOCK, rules.get(6).target());
        assertTrue(rules.get(6).conditions().isEmpty());
    }

    @Test
    public void keywordsAreCaseInsensitiveAndInterfaceAcceptsShortForms() {
        List<Rule> rules = RuleParser.parse("ALLOW ID 046D:C52B\nblock interface 08\nblock interface 08:*");
        assertEquals(new Rule.Id(0x046d, 0xc52b), rules.get(0).conditions().get(0));
        assertEquals(new Rule.InterfaceClass(8), rules.get(1).conditions().get(0));
        assertEquals(new Rule.InterfaceClass(8), rules.get(2).conditions().get(0));
    }

    @Test
    public void badIdSaysWhereAndWhatIsExpected() {
        RuleSyntaxException e = error("allow id 046d:*\n# x\nallow id 46d:c52b");
        assertEquals(3, e.line());
        assertEquals(10, e.column());
        assertEquals("line 3, column 10: expected vendor:product like 046d:c52b or 046d:*, found '46d'",
                e.getMessage());
    }

    @Test
    public void idWithoutColonIsAnError() {
        assertEquals("line 1, column 10: expected vendor:product like 046d:c52b or 046d:*, found '046d'",
                error("allow id 046d").getMessage());
    }

    @Test
    public void nonHexDigitPointsAtTheDigit() {
        RuleSyntaxException e = error("allow id 046d:c5zb");
        assertEquals(17, e.column());
    }

    @Test
    public void missingValueAtEndOfLineSaysSo() {
        RuleSyntaxException e = error("block class   # nothing");
        assertEquals(15, e.column());
        assertEquals("expected a class as two hex digits like 08, found end of line", e.detail());
    }

    @Test
    public void unknownTargetIsAnError() {
        RuleSyntaxException e = error("  permit id 046d:*");
        assertEquals(3, e.column());
        assertEquals("expected allow or block, found 'permit'", e.detail());
    }

    @Test
    public void unknownAttributeListsTheKnownOnes() {
        RuleSyntaxException e = error("allow vendor 046d");
        assertEquals(7, e.column());
        assertTrue(e.detail(), e.detail().startsWith("expected an attribute (id, serial,"));
    }

    @Test
    public void unquotedStringIsAnError() {
        assertEquals("line 1, column 14: expected a quoted string after serial, like serial \"text\", found 'ABC'",
                error("allow serial ABC").getMessage());
    }

    @Test
    public void unterminatedStringPointsAtItsStart() {
        RuleSyntaxException e = error("allow serial \"ABC");
        assertEquals(14, e.column());
        assertEquals("unterminated string: missing closing \"", e.detail());
    }

    @Test
    public void unknownEscapeIsAnError() {
        assertTrue(error("allow serial \"a\\nb\"").detail().startsWith("unknown escape '\\n'"));
    }

    @Test
    public void duplicateAttributeIsAnError() {
        RuleSyntaxException e = error("allow id 046d:* id 1d6b:*");
        assertEquals(17, e.column());
        assertEquals("attribute 'id' given twice in one rule", e.detail());
    }

    @Test
    public void interfaceSubclassMustBeAWildcard() {
        RuleSyntaxException e = error("block interface 03:01:*");
        assertEquals(20, e.column());
        assertTrue(e.detail().startsWith("expected '*' for interface subclass"));
    }

    @Test
    public void shortSignatureIsAnError() {
        assertEquals("expected a device signature of 64 hex digits, found '3fa2' (4 characters)",
                error("allow signature 3fa2").detail());
    }

    @Test
    public void hashInsideAStringIsNotAComment() {
        Rule r = RuleParser.parse("allow serial \"A#1\" # real comment").get(0);
        assertEquals(new Rule.Serial("A#1"), r.conditions().get(0));
    }
}
