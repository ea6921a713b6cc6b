/**
 * JSON without a library: {@link io.autoweave.commons.json.Json} writes maps, lists and scalars (escaped so the
 * output is also safe in HTML), {@link io.autoweave.commons.json.JsonParser} reads one value strictly.
 */
@Export
@Version("1.0.0")
package io.autoweave.commons.json;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
