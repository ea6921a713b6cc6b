/**
 * The security monitor's contract: violations by plugins, blocks, lockdown and the audit log of every security
 * decision ({@link io.autoweave.security.SecurityMonitor}). Operator surfaces and the plugin installer use it; it is
 * not under {@code io.autoweave.api.*} so plugins (which may import that) never see it.
 */
@Export
@Version("1.1.0")
package io.autoweave.security;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
