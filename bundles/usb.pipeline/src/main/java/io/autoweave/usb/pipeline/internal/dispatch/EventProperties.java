package io.autoweave.usb.pipeline.internal.dispatch;

import java.util.HashMap;
import java.util.Map;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbTopics;

/**
 * The properties of a USB event as EventAdmin carries them; listener filters
 * ({@link io.autoweave.api.device.UsbEventListener#FILTER}) match against the same map, so one filter means the
 * same thing on both paths.
 */
public final class EventProperties {

    private EventProperties() {
    }

    public static Map<String, Object> of(UsbEvent event) {
        Map<String, Object> p = new HashMap<>();
        p.put(UsbTopics.EVENT, event);
        p.put(UsbTopics.VENDOR_ID, event.device().vendorHex());
        p.put(UsbTopics.PRODUCT_ID, event.device().productHex());
        p.put(UsbTopics.SIGNATURE, event.device().signature());
        p.put(UsbTopics.DEVICE_CLASS, event.device().deviceClass());
        return p;
    }
}
