/** Plugin lifecycle states and security levels shared by the installer, the security monitor and the operator surfaces. */
@Export
@Version("1.0.0")
package io.autoweave.api.plugin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
