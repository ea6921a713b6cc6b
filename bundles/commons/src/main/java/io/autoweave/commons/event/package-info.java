/**
 * The one JSON shape of devices and events ({@link io.autoweave.commons.event.EventJson}) used by the REST API,
 * its event stream and webhooks.
 */
@Export
@Version("1.0.0")
package io.autoweave.commons.event;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
