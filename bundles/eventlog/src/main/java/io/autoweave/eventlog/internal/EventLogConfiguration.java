package io.autoweave.eventlog.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Typed configuration of the event log, PID {@code io.autoweave.eventlog}: the single home of its defaults. */
@ObjectClassDefinition(name = "AutoWeave event log",
        description = "The durable USB event log every consumer reads by cursor")
@interface EventLogConfiguration {

    @AttributeDefinition(name = "Segment size (MiB)", description = "A new segment file starts when the active one holds "
            + "this much; fractions allowed (0.0625 = 64 KiB, the least), for small devices and tests")
    double segment_mb() default 16;

    @AttributeDefinition(name = "Retention by size (MiB)", description = "The oldest segments are deleted while the log "
            + "holds more; at least twice segment.mb; fractions allowed")
    double retention_mb() default 512;

    @AttributeDefinition(name = "Retention by age (hours)", description = "Segments whose newest record is older are deleted; 0 keeps them whatever their age")
    long retention_hours() default 168;

    @AttributeDefinition(name = "Memory buffer (events)", description = "Events held in memory while the disk cannot be written; beyond it the oldest are dropped and a loss record says so")
    int buffer_events() default 100_000;

    @AttributeDefinition(name = "Tail cache (records)", description = "Recent records kept decoded in memory for readers")
    int cache_records() default 16_384;

    @AttributeDefinition(name = "Cursor save interval (ms)", description = "How often changed durable cursors are saved")
    long cursor_flush_ms() default 200;

    @AttributeDefinition(name = "JSON Lines export", description = "Write DATA/events.jsonl, a derived copy of the log for tools (one JSON object per record)")
    boolean export_enabled() default true;

    @AttributeDefinition(name = "Export file size (MiB)", description = "events.jsonl is rotated to events.jsonl.1 at this size")
    long export_mb() default 64;

    @AttributeDefinition(name = "Export files kept", description = "events.jsonl plus this many minus one rotated files")
    int export_files() default 4;
}
