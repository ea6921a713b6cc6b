package io.autoweave.usb.pipeline.internal.sources;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.fuzz.Contract;

/**
 * Replay files for the simulated source (JSON Lines). Contract: steps, or a {@link ReplayParser.ReplayFormatException}
 * whose message starts with a line of the file; every step comes from a non-blank line, in order, with a delay
 * that is not negative.
 */
class ReplayParserFuzzTest {

    @ParserFuzzTest
    void replayFilesParseOrAreRefusedWithTheirLine(byte[] data) {
        String text = Contract.text(data);
        String[] lines = text.split("\r\n|\r|\n", -1);
        List<ReplayParser.Step> steps;
        try {
            steps = ReplayParser.parse(text);
        } catch (ReplayParser.ReplayFormatException e) {
            Contract.explainedAt(e, "line " + e.line + ", ");
            assertTrue(e.line >= 1 && e.line <= lines.length, () -> "line outside the file: " + e.getMessage());
            return;
        }
        int previous = 0;
        for (ReplayParser.Step step : steps) {
            int line = step.line();
            assertTrue(line > previous && line <= lines.length && !lines[line - 1].isBlank(),
                    () -> "step from line " + line + " which is blank, out of order or outside the file");
            assertTrue(step.delayMillis() >= 0, () -> "negative delay on line " + line);
            assertTrue(step.report().source() != null && !step.report().source().isBlank(), "blank source");
            previous = line;
        }
    }
}
