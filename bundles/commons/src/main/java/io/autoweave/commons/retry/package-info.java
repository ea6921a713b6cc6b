/**
 * Retrying a peer that fails: {@link io.autoweave.commons.retry.Backoff} (exponential, with or without jitter, and the delays of one retrying loop) and
 * {@link io.autoweave.commons.retry.CircuitBreaker}.
 */
@Export
@Version("1.1.0")
package io.autoweave.commons.retry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
