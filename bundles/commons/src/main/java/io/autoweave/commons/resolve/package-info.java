/**
 * Keeping bundles from resolving ({@link io.autoweave.commons.resolve.ResolveGate}), the one way that works on the
 * embedded Felix: the installer's location guard and the security monitor's block list both use it.
 */
@Export
@Version("1.0.0")
package io.autoweave.commons.resolve;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
