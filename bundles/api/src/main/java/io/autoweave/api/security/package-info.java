/**
 * Permissions plugins are granted over USB devices. {@link io.autoweave.api.security.UsbPermission} appears in
 * ConditionalPermissionAdmin rows and in a plugin's {@code OSGI-INF/permissions.perm}; the runtime checks it before
 * it shows a device to a plugin.
 */
@Export
@Version("1.0.0")
package io.autoweave.api.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
