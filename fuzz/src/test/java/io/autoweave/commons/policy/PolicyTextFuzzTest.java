package io.autoweave.commons.policy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.fuzz.Contract;

/**
 * Policy files ({@code *.policy}). Contract: rows, or a {@link PolicyText.SyntaxException} naming the file; every
 * row names a line that exists and is not blank (ConditionalPermissionAdmin checks the row itself).
 */
class PolicyTextFuzzTest {

    @ParserFuzzTest
    void policyTextSplitsIntoRowsOrIsRefusedNamingTheFile(byte[] data) {
        String text = Contract.text(data);
        int lines = text.split("\n", -1).length;
        List<PolicyText.Row> rows;
        try {
            rows = PolicyText.parse(text, "fuzz.policy", "/var/lib/autoweave");
        } catch (PolicyText.SyntaxException e) {
            Contract.explainedAt(e, "fuzz.policy");
            return;
        }
        for (PolicyText.Row row : rows) {
            assertFalse(row.encoded().isBlank(), () -> "blank row at " + row.where());
            assertTrue(row.line() >= 1 && row.line() <= lines, () -> "row outside the text: " + row.where());
            assertFalse(row.encoded().contains("\n"), () -> "row not on one line: " + row.where());
        }
    }
}
