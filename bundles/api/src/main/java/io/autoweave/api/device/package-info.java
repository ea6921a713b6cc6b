/**
 * USB device identity, hot-plug events and the listener whiteboard.
 *
 * <p>Events are published on EventAdmin under {@link io.autoweave.api.device.UsbTopics} and delivered to every
 * {@link io.autoweave.api.device.UsbEventListener} service whose owner may see the device.
 * {@link io.autoweave.api.device.DeviceRegistry} lists what is connected now (since 1.1);
 * {@link io.autoweave.api.device.EventHistory} the recent events with a resumable sequence (since 1.2). Core sinks
 * that must not lose events register {@link io.autoweave.api.device.UsbEventSink} and receive batches with visible
 * loss markers (since 1.3). {@link io.autoweave.api.device.Sources} builds the compact, ordered source sets
 * events carry (since 1.4).
 */
@Export
@Version("1.4.0")
package io.autoweave.api.device;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
