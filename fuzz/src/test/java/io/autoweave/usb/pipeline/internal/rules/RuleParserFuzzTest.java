package io.autoweave.usb.pipeline.internal.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.fuzz.Contract;

/**
 * The device rule language (pipeline {@code rules}). Contract: a rule text either parses, or is refused with a
 * {@link RuleSyntaxException} naming a line and column that exist in the text; and the text kept with each rule
 * (shown when a decision is explained) parses back to the same rule.
 */
class RuleParserFuzzTest {

    @ParserFuzzTest
    void rulesParseOrAreRefusedWithAPosition(byte[] data) {
        String text = Contract.text(data);
        String[] lines = text.split("\r\n|\r|\n", -1);
        List<Rule> rules;
        try {
            rules = RuleParser.parse(text);
        } catch (RuleSyntaxException e) {
            Contract.explainedAt(e, "line " + e.line() + ", column " + e.column() + ": ");
            assertTrue(e.line() >= 1 && e.line() <= lines.length, () -> "line out of the text: " + e.getMessage());
            int length = lines[e.line() - 1].length();
            assertTrue(e.column() >= 1 && e.column() <= length + 1,
                    () -> "column outside line " + e.line() + " (" + length + " chars): " + e.getMessage());
            return;
        }
        for (Rule rule : rules) {
            List<Rule> again = RuleParser.parse(rule.text());
            assertEquals(1, again.size(), () -> "the kept text of rule " + rule + " is not one rule");
            Contract.sameAfterRoundTrip(rule.target(), again.get(0).target(), "target of " + rule.text());
            Contract.sameAfterRoundTrip(rule.conditions().toString(), again.get(0).conditions().toString(),
                    "conditions of " + rule.text());
        }
        // a parsed rule set must be usable: the default target only fills in when no rule matches
        RuleSet.parse(text, RuleTarget.BLOCK);
    }
}
