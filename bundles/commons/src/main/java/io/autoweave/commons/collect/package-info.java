/**
 * Small collections the bundles share: {@link io.autoweave.commons.collect.RecentByKey}, a bounded memory of the
 * values last used per key.
 */
@Export
@Version("1.0.0")
package io.autoweave.commons.collect;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
