/**
 * Strict checks of identifiers that come from outside (HTTP paths and parameters, console forms, shell arguments):
 * {@link io.autoweave.commons.ident.Identifiers}.
 */
@Export
@Version("1.0.0")
package io.autoweave.commons.ident;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
