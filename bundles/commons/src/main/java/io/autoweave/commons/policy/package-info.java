/**
 * The text format of {@code security-policies/*.policy} ({@link io.autoweave.commons.policy.PolicyText}): read by the
 * launcher before any bundle starts and by the security bundle when the directory changes, so both apply exactly
 * the same rows. The launcher carries a copy of this package on its class path (shaded); bundles import it.
 */
@Export
@Version("1.0.0")
package io.autoweave.commons.policy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
