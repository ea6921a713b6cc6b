package io.autoweave.http.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

import io.autoweave.api.device.ConnectedDevice;
import io.autoweave.api.device.DeviceRegistry;
import io.autoweave.api.device.EventHistory;
import io.autoweave.api.device.HistoryEvent;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.commons.ident.Identifiers;
import io.autoweave.commons.json.Json;
import io.autoweave.commons.event.EventJson;

/**
 * {@code GET /api/v1/devices[?vendor=046d&product=c52b&class=03]}: the connected devices, oldest connection first;
 * {@code GET /api/v1/devices/SIGNATURE}: the devices with that signature and their recent events.
 */
@Component(service = Servlet.class, property = {
        HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/api/v1/devices/*",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT + "=" + ApiSecurityContext.SELECT })
public final class DevicesServlet extends ApiResource {
    private static final long serialVersionUID = 1L;
    static final int RECENT_EVENTS = 20;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile DeviceRegistry registry;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile EventHistory history;

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        DeviceRegistry r = registry;
        if (r == null) {
            throw ApiException.unavailable("the USB pipeline is not running, so no device is known");
        }
        String[] path = segments(req);
        if (path.length == 0) {
            onlyParameters(req, Set.of("vendor", "product", "class"));
            Predicate<UsbDevice> filter = filter(req.getParameter("vendor"), req.getParameter("product"),
                    req.getParameter("class"));
            List<Map<String, Object>> list = new ArrayList<>();
            for (ConnectedDevice c : r.connected()) {
                if (filter.test(c.device())) {
                    list.add(EventJson.connected(c));
                }
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("count", list.size());
            body.put("devices", list);
            json(resp, 200, body);
            return;
        }
        if (path.length > 1) {
            throw ApiException.notFound("no resource " + req.getRequestURI() + ": use /api/v1/devices/SIGNATURE");
        }
        onlyParameters(req, Set.of());
        String signature;
        try {
            signature = Identifiers.signature(path[0]);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        List<Map<String, Object>> connected = new ArrayList<>();
        for (ConnectedDevice c : r.find(signature)) {
            connected.add(EventJson.connected(c));
        }
        EventHistory h = history;
        List<HistoryEvent> recent = h == null ? List.of() : h.recent(signature, RECENT_EVENTS);
        if (connected.isEmpty() && recent.isEmpty()) {
            throw ApiException.notFound("no device with signature " + signature
                    + " is connected or in the recent events");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("device_signature", signature);
        body.put("connected", !connected.isEmpty());
        body.put("devices", connected);
        body.put("recent_events", EventJson.events(recent));
        json(resp, 200, body);
    }

    /** The filter of the query; 400 naming the parameter and the expected form when a value is malformed. */
    static Predicate<UsbDevice> filter(String vendor, String product, String deviceClass) {
        Integer v = hex("vendor", vendor, 4, "046d");
        Integer p = hex("product", product, 4, "c52b");
        Integer c = hex("class", deviceClass, 2, "03 (HID) or 08 (mass storage)");
        return d -> (v == null || d.vendorId() == v) && (p == null || d.productId() == p)
                && (c == null || d.deviceClass() == c || d.interfaceClasses().contains(c));
    }

    private static Integer hex(String name, String value, int digits, String example) {
        if (value == null) {
            return null;
        }
        String t = value.trim();
        if (t.startsWith("0x") || t.startsWith("0X")) {
            t = t.substring(2);
        }
        if (t.isEmpty() || t.length() > digits || !t.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
            throw ApiException.badRequest(name + " must be 1 to " + digits + " hex digits, e.g. " + example
                    + ", not '" + value + "'");
        }
        return Integer.parseInt(t, 16);
    }
}
