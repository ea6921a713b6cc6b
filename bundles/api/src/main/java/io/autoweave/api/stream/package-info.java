/**
 * Consumers of the Redis event stream inside the runtime.
 *
 * <p>The Redis consumer-group bridge reads the stream as one member of a consumer group and hands every entry to
 * each registered {@link io.autoweave.api.stream.StreamConsumer}; the entry is acknowledged only when all of them
 * returned normally.
 */
@Export
@Version("1.0.0")
package io.autoweave.api.stream;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
