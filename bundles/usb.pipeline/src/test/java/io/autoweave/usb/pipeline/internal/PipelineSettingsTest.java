package io.autoweave.usb.pipeline.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import io.autoweave.usb.pipeline.internal.rules.RuleTarget;

public class PipelineSettingsTest {

    private static String error(Map<String, ?> config) {
        try {
            PipelineSettings.from(PipelineSettings.configuration(config));
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        fail("expected the configuration to be rejected: " + config);
        return null;
    }

    @Test
    public void defaultsComeFromTheAnnotation() {
        PipelineSettings s = PipelineSettings.from(PipelineSettings.configuration(Map.of()));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), s.mergeWindowNanos());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), s.debounceWindowNanos());
        assertEquals(TimeUnit.SECONDS.toNanos(30), s.reconcileGraceNanos());
        assertEquals(RuleTarget.ALLOW, s.rules().defaultTarget());
        assertTrue(s.rules().rules().isEmpty());
        assertFalse(s.instanceId().isBlank());
    }

    @Test
    public void overridesApply() {
        PipelineSettings s = PipelineSettings.from(PipelineSettings.configuration(Map.of("merge_window_ms", 10L,
                "debounce_window_ms", 20L, "default_target", "BLOCK", "rules", new String[] { "allow id 046d:*" },
                "instance_id", " box-1 ")));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(10), s.mergeWindowNanos());
        assertEquals(RuleTarget.BLOCK, s.rules().defaultTarget());
        assertEquals(1, s.rules().rules().size());
        assertEquals("box-1", s.instanceId());
    }

    /** Found by PipelineSettingsFuzzTest: "\0" is not blank, but trimmed to an empty instance id. */
    @Test
    public void anInstanceIdOfControlCharactersOnlyFallsBackToTheDefault() {
        PipelineSettings s = PipelineSettings.from(PipelineSettings.configuration(Map.of("instance_id", "\0\u0001 ")),
                () -> "from-data-dir");
        assertEquals("from-data-dir", s.instanceId());
    }

    /** Found by a long PipelineSettingsFuzzTest pass: white space trim() keeps (U+3000, U+2007, U+0085). */
    @Test
    public void anInstanceIdOfUnicodeWhiteSpaceOnlyFallsBackToTheDefault() {
        PipelineSettings s = PipelineSettings.from(PipelineSettings.configuration(Map.of("instance_id",
                "\u3000\0\u2007\u0085\u2028")), () -> "from-data-dir");
        assertEquals("from-data-dir", s.instanceId());
        assertEquals("box 2", PipelineSettings.from(PipelineSettings.configuration(Map.of("instance_id",
                "\u3000box 2\u00a0")), () -> "x").instanceId());
    }

    @Test
    public void invalidValuesFailWithWhatToFix() {
        assertEquals("merge.window.ms must be >= 0, was -1", error(Map.of("merge_window_ms", -1L)));
        assertEquals("debounce.window.ms must be >= 1, was 0", error(Map.of("debounce_window_ms", 0L)));
        assertEquals("reconcile.grace.ms must be >= 1, was 0", error(Map.of("reconcile_grace_ms", 0L)));
        assertEquals("default.target: unknown rule target 'deny': use allow or block",
                error(Map.of("default_target", "deny")));
        assertEquals("rules: line 2, column 10: expected vendor:product like 046d:c52b or 046d:*, found 'x'",
                error(Map.of("rules", new String[] { "block class 08", "allow id x" })));
        assertEquals("sink.batch.size must be >= 1, was 0", error(Map.of("sink_batch_size", 0)));
    }

    @Test
    public void sinkDefaultsComeFromTheAnnotation() {
        PipelineSettings s = PipelineSettings.from(PipelineSettings.configuration(Map.of()));
        assertEquals(512, s.sinkBatchSize());
    }
}
