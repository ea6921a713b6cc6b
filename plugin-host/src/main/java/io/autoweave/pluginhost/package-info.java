/**
 * The isolated (out-of-process) plugin mode as a service: {@link io.autoweave.pluginhost.IsolatedPlugins} runs a
 * verified plugin jar in its own confined JVM, lists what runs so and stops it. The installer uses it for plugins
 * installed in isolated mode; operators may also configure a host per jar (plugin-host/README.md).
 */
@Export
@Version("1.0.0")
package io.autoweave.pluginhost;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
