/**
 * Permission decisions that cost nothing on the hot path: {@link io.autoweave.commons.permission.DecisionCache}
 * keeps a bundle's answers per permission target while the {@link io.autoweave.commons.permission.PermissionGeneration}
 * they were made in is current. The security bundle provides the one generation of the runtime and moves it on every
 * change that can alter an answer (policy commit, bundle update or uninstall, block, unblock, lockdown).
 */
@Export
@Version("1.0.0")
package io.autoweave.commons.permission;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
