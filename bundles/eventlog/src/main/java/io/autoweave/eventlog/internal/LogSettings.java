package io.autoweave.eventlog.internal;

import io.autoweave.commons.config.ConfigRefusal;

/**
 * The event log's validated settings (see {@link EventLogConfiguration} for meanings and defaults).
 */
record LogSettings(long segmentBytes, long retentionBytes, long retentionMillis, int bufferRecords, int cacheRecords,
        int maxBatch, long cursorFlushMillis, boolean export, long exportMaxBytes, int exportFiles) {

    static final long MIB = 1024L * 1024L;

    static LogSettings defaults() {
        return new LogSettings(16 * MIB, 512 * MIB, 7L * 24 * 3600 * 1000, 100_000, 16_384, 4096, 200, true,
                64 * MIB, 4);
    }

    /** Validates every value; the message names the key to fix. */
    static LogSettings from(EventLogConfiguration c) {
        // NaN fails every comparison, so it is refused like any out-of-range value
        require(c.segment_mb() >= 0.0625 && c.segment_mb() <= 1024, "segment.mb", c.segment_mb(),
                "between 0.0625 (64 KiB) and 1024");
        require(c.retention_mb() >= 2 * c.segment_mb() && c.retention_mb() <= 1 << 30, "retention.mb",
                c.retention_mb(), "at least twice segment.mb (" + c.segment_mb() + ")");
        long segment = (long) (c.segment_mb() * MIB);
        require(c.retention_hours() >= 0, "retention.hours", c.retention_hours(), "0 (no age limit) or more");
        require(c.buffer_events() >= 1000 && c.buffer_events() <= 10_000_000, "buffer.events", c.buffer_events(),
                "between 1000 and 10000000");
        require(c.cache_records() >= 1024 && c.cache_records() <= 1 << 22, "cache.records", c.cache_records(),
                "between 1024 and 4194304");
        require(c.cursor_flush_ms() >= 10 && c.cursor_flush_ms() <= 60_000, "cursor.flush.ms", c.cursor_flush_ms(),
                "between 10 and 60000");
        require(c.export_mb() >= 1, "export.mb", c.export_mb(), "at least 1");
        require(c.export_files() >= 1 && c.export_files() <= 100, "export.files", c.export_files(), "between 1 and 100");
        return new LogSettings(segment, (long) (c.retention_mb() * MIB), c.retention_hours() * 3600_000L, c.buffer_events(),
                c.cache_records(), 4096, c.cursor_flush_ms(), c.export_enabled(), c.export_mb() * MIB, c.export_files());
    }

    private static void require(boolean ok, String key, Object value, String what) {
        if (!ok) {
            throw new ConfigRefusal(key, value, "must be " + what);
        }
    }
}
