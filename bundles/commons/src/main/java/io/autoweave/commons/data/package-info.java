/** Where the runtime keeps its files: the data directory the launcher names ({@link io.autoweave.commons.data.DataDirectory}). */
@Export
@Version("1.0.0")
package io.autoweave.commons.data;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
