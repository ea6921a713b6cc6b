/** Text output of the operator commands: aligned tables. */
@Export
@Version("1.0.0")
package io.autoweave.commons.text;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
