/**
 * Last good configuration: a component's typed configuration is checked as a whole (every value converts to its
 * type, then the component's own rules) before it is applied; a refused change keeps the configuration in force
 * and the component's services registered, and is reported with PID, key, value and reason
 * ({@link io.autoweave.commons.config.LastGoodConfig}, {@link io.autoweave.commons.config.ConfigurationStatus});
 * a renamed key is still read under its {@link io.autoweave.commons.config.OldName} with a warning (since 1.1).
 */
@Export
@Version("1.1.0")
package io.autoweave.commons.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
