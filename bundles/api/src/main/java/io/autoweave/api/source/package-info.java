/**
 * Contract between detection sources (libusb, udev, sysfs, simulated) and the pipeline that merges them.
 * A source is a component that registers {@link io.autoweave.api.source.UsbSource} and calls the
 * {@link io.autoweave.api.source.DeviceReportSink} service for every attach/detach it sees.
 */
@Export
@Version("1.1.0")
package io.autoweave.api.source;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
