package io.autoweave.eventlog.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.Test;

public class LogSettingsTest {

    /** The configuration with {@code values} (method name → value), the annotation's defaults for the rest. */
    private static EventLogConfiguration config(Map<String, Object> values) {
        return (EventLogConfiguration) Proxy.newProxyInstance(EventLogConfiguration.class.getClassLoader(),
                new Class<?>[] { EventLogConfiguration.class }, (proxy, method, args) -> {
                    Object v = values.get(method.getName());
                    return v != null ? v : method.getDefaultValue();
                });
    }

    private static String refusal(Map<String, Object> values) {
        try {
            LogSettings.from(config(values));
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        fail("expected a refusal of " + values);
        return null;
    }

    @Test
    public void theAnnotationDefaultsAreTheDefaults() {
        assertEquals(LogSettings.defaults(), LogSettings.from(config(Map.of())));
    }

    @Test
    public void segmentsAndRetentionTakeFractionsOfAMebibyte() {
        LogSettings s = LogSettings.from(config(Map.of("segment_mb", 0.0625, "retention_mb", 0.125)));
        assertEquals(64 * 1024, s.segmentBytes());
        assertEquals(128 * 1024, s.retentionBytes());
    }

    @Test
    public void outOfRangeValuesAreRefusedNamingTheKey() {
        assertEquals("segment.mb=0.01: must be between 0.0625 (64 KiB) and 1024",
                refusal(Map.of("segment_mb", 0.01)));
        assertEquals("segment.mb=NaN: must be between 0.0625 (64 KiB) and 1024",
                refusal(Map.of("segment_mb", Double.NaN)));
        assertEquals("retention.mb=1.0: must be at least twice segment.mb (1.0)",
                refusal(Map.of("segment_mb", 1.0, "retention_mb", 1.0)));
        assertEquals("buffer.events=5: must be between 1000 and 10000000", refusal(Map.of("buffer_events", 5)));
    }
}
