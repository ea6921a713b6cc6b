/** Checking operator credentials; every HTTP surface of the runtime authenticates through {@link io.autoweave.auth.Authenticator}. */
@Export
@Version("1.1.0")
package io.autoweave.auth;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
