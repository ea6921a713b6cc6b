/** Plugin lifecycle states, security levels and the runtime-owned plugin workers ({@link io.autoweave.api.plugin.PluginWorkers}) shared by the installer, the security monitor and the operator surfaces. */
@Export
@Version("1.2.0")
package io.autoweave.api.plugin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
