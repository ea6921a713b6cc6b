package io.autoweave.usb.pipeline.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.fuzz.Contract;

/**
 * The pipeline's configuration values (io.autoweave.usb.pipeline.cfg) after Configuration Admin typed them.
 * Contract: settings, or an {@link IllegalArgumentException} whose message starts with the property to fix, so the
 * refusal can be reported with its key and the running configuration kept.
 */
class PipelineSettingsFuzzTest {

    private static final List<String> KEYS = List.of("merge.window.ms", "debounce.window.ms", "default.target",
            "rules", "sink.queue.capacity", "sink.batch.size", "sink.rate.per.second");

    @ParserFuzzTest
    void configurationValuesAreAcceptedOrRefusedNamingTheProperty(FuzzedDataProvider data) {
        Map<String, Object> values = new HashMap<>();
        if (data.consumeBoolean()) {
            values.put("merge_window_ms", data.consumeLong());
        }
        if (data.consumeBoolean()) {
            values.put("debounce_window_ms", data.consumeLong());
        }
        if (data.consumeBoolean()) {
            values.put("default_target", data.consumeString(12));
        }
        if (data.consumeBoolean()) {
            values.put("instance_id", data.consumeString(40));
        }
        if (data.consumeBoolean()) {
            values.put("sink_queue_capacity", data.consumeInt());
        }
        if (data.consumeBoolean()) {
            values.put("sink_batch_size", data.consumeInt());
        }
        if (data.consumeBoolean()) {
            values.put("sink_rate_per_second", data.consumeRegularDouble());
        }
        if (data.consumeBoolean()) {
            values.put("sink_rate_per_second", data.consumeProbabilityDouble() > 0.5 ? Double.NaN
                    : Double.POSITIVE_INFINITY);
        }
        int rules = data.consumeInt(0, 4);
        String[] lines = new String[rules];
        for (int i = 0; i < rules; i++) {
            lines[i] = data.consumeString(80);
        }
        values.put("rules", lines);
        PipelineSettings settings;
        try {
            settings = PipelineSettings.from(PipelineSettings.configuration(values), () -> "fuzz-instance");
        } catch (IllegalArgumentException e) {
            Contract.explained(e);
            assertTrue(KEYS.stream().anyMatch(k -> e.getMessage().startsWith(k)),
                    () -> "refusal does not start with the property to fix: " + e.getMessage());
            return;
        }
        assertTrue(settings.mergeWindowNanos() >= 0 && settings.debounceWindowNanos() > 0, "negative window");
        assertTrue(!settings.instanceId().isBlank(), "blank instance id");
    }
}
