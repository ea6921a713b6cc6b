package io.autoweave.webconsole.internal;

import java.util.concurrent.TimeUnit;

import io.autoweave.commons.config.ConfigRefusal;

/** The checked configuration of the AutoWeave console pages, in force for all of them (held by {@link DeviceFeed}). */
record ConsoleSettings(int recentEvents, long maxUploadBytes, int auditRows, long heartbeatMillis) {

    static ConsoleSettings of(ConsoleConfig c) {
        return new ConsoleSettings((int) ConfigRefusal.range("recent.events", c.recent_events(), 1, 10_000),
                ConfigRefusal.range("max.upload.bytes", c.max_upload_bytes(), 1024, 1L << 30),
                (int) ConfigRefusal.range("audit.rows", c.audit_rows(), 1, 10_000),
                TimeUnit.SECONDS.toMillis(ConfigRefusal.range("sse.heartbeat.seconds", c.sse_heartbeat_seconds(), 1,
                        300)));
    }
}
