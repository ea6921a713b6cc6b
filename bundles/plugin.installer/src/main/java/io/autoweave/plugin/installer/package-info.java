/**
 * The operator's way to add and remove plugins: {@link io.autoweave.plugin.installer.PluginInstaller}. Every install
 * is verified against the plugin trust store before the framework sees a byte of it.
 *
 * <p>This package lives in the installer bundle, not in {@code io.autoweave.api.*}, on purpose: the plugin policy
 * lets plugins import {@code io.autoweave.api.*}, and no plugin should even see the installer's types.
 */
@Export
@Version("2.1.0")
package io.autoweave.plugin.installer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
