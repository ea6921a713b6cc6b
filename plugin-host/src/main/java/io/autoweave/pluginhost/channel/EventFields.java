package io.autoweave.pluginhost.channel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

/** A {@link UsbEvent} as the {@code event} field of an {@code event} frame, and back (field names as in the API). */
public final class EventFields {
    private EventFields() {
    }

    public static Map<String, Object> of(UsbEvent e) {
        UsbDevice d = e.device();
        Map<String, Object> dev = new LinkedHashMap<>();
        dev.put("vendorId", d.vendorId());
        dev.put("productId", d.productId());
        dev.put("serial", d.serial());
        dev.put("manufacturer", d.manufacturer());
        dev.put("product", d.product());
        dev.put("deviceClass", d.deviceClass());
        dev.put("deviceSubclass", d.deviceSubclass());
        dev.put("deviceProtocol", d.deviceProtocol());
        dev.put("interfaceClasses", d.interfaceClasses());
        dev.put("bcdDevice", d.bcdDevice());
        dev.put("busNumber", d.busNumber());
        dev.put("deviceAddress", d.deviceAddress());
        dev.put("portPath", d.portPath());
        dev.put("signature", d.signature());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventId", e.eventId());
        m.put("instanceId", e.instanceId());
        m.put("action", e.action().name());
        m.put("timestampMillis", e.timestampMillis());
        m.put("monotonicNanos", e.monotonicNanos());
        m.put("device", dev);
        m.put("sources", new ArrayList<>(new TreeSet<>(e.sources())));
        m.put("flapCount", e.flapCount());
        return m;
    }

    /** @throws IllegalArgumentException when a field is missing or of the wrong kind */
    public static UsbEvent parse(Object value) {
        try {
            return parseFields(value);
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("event field of the wrong kind: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static UsbEvent parseFields(Object value) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("event is not an object");
        }
        Map<String, Object> m = (Map<String, Object>) value;
        Map<String, Object> d = (Map<String, Object>) m.get("device");
        if (d == null) {
            throw new IllegalArgumentException("event without a device");
        }
        List<Integer> interfaces = new ArrayList<>();
        for (Object o : (List<Object>) d.getOrDefault("interfaceClasses", List.of())) {
            interfaces.add(((Number) o).intValue());
        }
        UsbDevice device = new UsbDevice(num(d, "vendorId"), num(d, "productId"), (String) d.get("serial"),
                (String) d.get("manufacturer"), (String) d.get("product"), num(d, "deviceClass"),
                num(d, "deviceSubclass"), num(d, "deviceProtocol"), interfaces, num(d, "bcdDevice"),
                num(d, "busNumber"), num(d, "deviceAddress"), (String) d.get("portPath"), (String) d.get("signature"));
        List<String> sources = new ArrayList<>();
        for (Object o : (List<Object>) m.getOrDefault("sources", List.of())) {
            sources.add(String.valueOf(o));
        }
        return new UsbEvent((String) m.get("eventId"), (String) m.get("instanceId"),
                UsbAction.valueOf((String) m.get("action")), ((Number) m.get("timestampMillis")).longValue(),
                ((Number) m.get("monotonicNanos")).longValue(), device, new java.util.HashSet<>(sources),
                num(m, "flapCount"));
    }

    private static int num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException(key + " is not a number: " + v);
        }
        return ((Number) v).intValue();
    }
}
