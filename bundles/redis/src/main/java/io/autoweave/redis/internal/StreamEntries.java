package io.autoweave.redis.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

/**
 * Maps a {@link UsbEvent} to the fields of one {@code aw:hotplug} stream entry. The first thirteen fields keep the
 * names and formats of the original AutoWeave (Node.js) publisher so its consumers read our entries unchanged;
 * the rest are additions. The field table is in this module's README.
 */
final class StreamEntries {
    static final String DEFAULT_SOURCE = "autoweave";

    private StreamEntries() {
    }

    static Map<String, String> fields(UsbEvent event) {
        UsbDevice d = event.device();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("source", primarySource(event));
        f.put("action", event.action().wireName());
        f.put("vendor_id", d.vendorHex());
        f.put("product_id", d.productHex());
        f.put("device_signature", orEmpty(d.signature()));
        f.put("manufacturer", orEmpty(d.manufacturer()));
        f.put("product", orEmpty(d.product()));
        f.put("serial_number", orEmpty(d.serial()));
        f.put("bus_number", d.busNumber() < 0 ? "" : Integer.toString(d.busNumber()));
        f.put("device_address", d.deviceAddress() < 0 ? "" : Integer.toString(d.deviceAddress()));
        f.put("port_path", orEmpty(d.portPath()));
        f.put("timestamp", Long.toString(event.timestampMillis()));
        f.put("device_descriptor", descriptorJson(d));
        f.put("event_id", event.eventId());
        f.put("instance_id", orEmpty(event.instanceId()));
        f.put("sources", String.join(",", event.sources().stream().sorted().toList()));
        f.put("flap_count", Integer.toString(event.flapCount()));
        f.put("monotonic_ns", Long.toString(event.monotonicNanos()));
        return f;
    }

    /** The original stream had one source per entry; with several we name the first alphabetically. */
    private static String primarySource(UsbEvent event) {
        return event.sources().stream().sorted().findFirst().orElse(DEFAULT_SOURCE);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /**
     * The descriptor fields we know, under the USB specification names node-usb used for
     * {@code deviceDescriptor}, plus {@code interfaceClasses}. Numbers only, so no string escaping is needed.
     */
    static String descriptorJson(UsbDevice d) {
        StringJoiner interfaces = new StringJoiner(",", "[", "]");
        for (int c : d.interfaceClasses()) {
            interfaces.add(Integer.toString(c));
        }
        return "{\"idVendor\":" + d.vendorId()
                + ",\"idProduct\":" + d.productId()
                + ",\"bcdDevice\":" + d.bcdDevice()
                + ",\"bDeviceClass\":" + d.deviceClass()
                + ",\"bDeviceSubClass\":" + d.deviceSubclass()
                + ",\"bDeviceProtocol\":" + d.deviceProtocol()
                + ",\"interfaceClasses\":" + interfaces
                + "}";
    }
}
