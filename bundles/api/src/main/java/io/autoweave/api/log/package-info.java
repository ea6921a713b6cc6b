/**
 * The durable event log: every decided USB event (and every later update of one, and every loss marker) is appended
 * once, in {@link io.autoweave.api.log.LogRecord#seq() seq} order, and made durable before any consumer sees it.
 * Every consumer reads it by cursor: {@link io.autoweave.api.log.EventLog} for readers,
 * {@link io.autoweave.api.log.EventLogAppender} for the one writer (the USB pipeline).
 *
 * @since 1.0
 */
@Export
@Version("1.0.0")
package io.autoweave.api.log;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
