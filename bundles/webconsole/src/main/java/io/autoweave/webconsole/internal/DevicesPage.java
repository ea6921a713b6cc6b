package io.autoweave.webconsole.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.api.device.ConnectedDevice;
import io.autoweave.api.device.DeviceRegistry;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

/**
 * Console page "USB devices": what is connected now, details of one device, the recent events, kept current without
 * reload by an event stream served under the page's own path ({@code /events}, so the console login covers it).
 * Each event makes the browser fetch the table again ({@code /table}), rendered and escaped here.
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + DevicesPage.LABEL, ServletConstants.PLUGIN_TITLE + "=USB devices",
        ServletConstants.PLUGIN_CATEGORY + "=AutoWeave" })
public final class DevicesPage extends ConsolePage {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "aw-devices";
    private static final int EVENTS_SHOWN = 30;

    private final transient DeviceRegistry registry;
    private final transient DeviceFeed feed;

    @Activate
    public DevicesPage(@Reference DeviceRegistry registry, @Reference DeviceFeed feed) {
        this.registry = registry;
        this.feed = feed;
    }

    @Override
    String label() {
        return LABEL;
    }

    @Override
    boolean serve(String subPath, HttpServletRequest request, HttpServletResponse response) throws IOException {
        switch (subPath) {
            case "/events" -> {
                stream(request, response);
                return true;
            }
            case "/table" -> {
                response.setContentType("text/html;charset=utf-8");
                setNoCache(response);
                PrintWriter out = response.getWriter();
                deviceRows(out, pluginRoot(request));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    @Override
    Outcome act(String action, HttpServletRequest request, String user) {
        return Outcome.failed("this page has no action '" + action + "'");
    }

    // ---- the page -----------------------------------------------------------------------------------------------

    @Override
    void render(HttpServletRequest request, PrintWriter out, String csrfToken) {
        String root = pluginRoot(request);
        List<ConnectedDevice> connected = registry.connected();
        out.println("<p class='statline ui-state-highlight' id='aw-devices-status'>" + connected.size()
                + " device(s) connected. <span id='aw-live'>Live updates: connecting...</span></p>");
        String selected = request.getParameter("device");
        if (selected != null && !selected.isBlank()) {
            details(out, root, selected.trim());
        }
        out.println("<div class='ui-widget-header ui-corner-top buttonGroup'>Connected devices</div>");
        out.println("<table id='aw-devices' class='nicetable'><thead><tr><th>Vendor:Product</th><th>Product</th>"
                + "<th>Manufacturer</th><th>Serial</th><th>Port</th><th>Class</th><th>Sources</th><th>Since</th>"
                + "<th>Rules</th><th>Signature</th></tr></thead><tbody id='aw-devices-body'>");
        deviceRows(out, root);
        out.println("</tbody></table>");

        out.println("<div class='ui-widget-header ui-corner-top buttonGroup' style='margin-top:1em'>Recent events"
                + "</div>");
        out.println("<table id='aw-events' class='nicetable'><thead><tr><th>Time</th><th>Action</th>"
                + "<th>Vendor:Product</th><th>Product</th><th>Serial</th><th>Port</th><th>Sources</th>"
                + "<th>Event id</th></tr></thead><tbody id='aw-events-body'>");
        for (UsbEvent e : feed.recent(null, EVENTS_SHOWN)) {
            eventRow(out, e);
        }
        out.println("</tbody></table>");
        script(out, root);
    }

    private void details(PrintWriter out, String root, String signature) {
        List<ConnectedDevice> matches = registry.find(signature);
        out.println("<div class='ui-widget-header ui-corner-top buttonGroup'>Device " + Html.esc(signature)
                + " <a href='" + Html.esc(root) + "'>(close)</a></div>");
        out.println("<table id='aw-device-details' class='nicetable'>");
        if (matches.isEmpty()) {
            out.println("<tr><td>Not connected now.</td></tr>");
        }
        for (ConnectedDevice c : matches) {
            UsbDevice d = c.device();
            row(out, "Vendor / product id", d.vendorHex() + ":" + d.productHex());
            row(out, "Manufacturer", d.manufacturer());
            row(out, "Product", d.product());
            row(out, "Serial", d.serial());
            row(out, "Class / subclass / protocol", String.format("%02x / %02x / %02x", d.deviceClass(),
                    d.deviceSubclass(), d.deviceProtocol()));
            row(out, "Interface classes", d.interfaceClasses().stream().map(i -> String.format("%02x", i))
                    .collect(Collectors.joining(" ")));
            row(out, "bcdDevice", String.format("%04x", d.bcdDevice()));
            row(out, "Bus / address / port", (d.busNumber() < 0 ? "?" : d.busNumber()) + " / "
                    + (d.deviceAddress() < 0 ? "?" : d.deviceAddress()) + " / " + orDash(d.portPath()));
            row(out, "Attached", Html.time(c.sinceMillis()));
            row(out, "Attach event", c.attachEventId());
            row(out, "Sources", String.join(", ", c.sources()));
            row(out, "Device rules", c.allowed() ? "allowed" : "blocked (events not delivered)");
            row(out, "Flaps collapsed", Integer.toString(c.flapCount()));
            row(out, "Signature", d.signature());
        }
        out.println("</table>");
        out.println("<table class='nicetable' style='margin-bottom:1em'><thead><tr><th>Time</th><th>Action</th>"
                + "<th>Sources</th><th>Event id</th></tr></thead><tbody>");
        for (UsbEvent e : feed.recent(signature, EVENTS_SHOWN)) {
            out.println("<tr><td>" + Html.time(e.timestampMillis()) + "</td><td>" + Html.esc(e.action()) + "</td><td>"
                    + Html.esc(String.join(", ", e.sources())) + "</td><td>" + Html.esc(e.eventId()) + "</td></tr>");
        }
        out.println("</tbody></table>");
    }

    private static void row(PrintWriter out, String name, String value) {
        out.println("<tr><td>" + Html.esc(name) + "</td><td>" + Html.esc(orDash(value)) + "</td></tr>");
    }

    private void deviceRows(PrintWriter out, String root) {
        List<ConnectedDevice> connected = registry.connected();
        if (connected.isEmpty()) {
            out.println("<tr class='aw-empty'><td colspan='10'>No USB device connected.</td></tr>");
        }
        for (ConnectedDevice c : connected) {
            UsbDevice d = c.device();
            String sig = d.signature() == null ? "" : d.signature();
            out.println("<tr class='aw-device' data-signature='" + Html.esc(sig) + "'><td><a href='" + Html.esc(root)
                    + "?device=" + Html.esc(java.net.URLEncoder.encode(sig, StandardCharsets.UTF_8)) + "'>" + d.vendorHex() + ":" + d.productHex() + "</a></td><td>"
                    + Html.esc(d.product()) + "</td><td>" + Html.esc(d.manufacturer()) + "</td><td>"
                    + Html.esc(d.serial()) + "</td><td>" + Html.esc(d.portPath()) + "</td><td>"
                    + String.format("%02x", d.deviceClass()) + "</td><td>" + Html.esc(String.join(", ", c.sources()))
                    + "</td><td>" + Html.time(c.sinceMillis()) + "</td><td>" + (c.allowed() ? "allowed" : "blocked")
                    + "</td><td title='" + Html.esc(sig) + "'><code>" + Html.esc(sig.length() > 12
                            ? sig.substring(0, 12) + "..." : sig) + "</code></td></tr>");
        }
    }

    private static void eventRow(PrintWriter out, UsbEvent e) {
        UsbDevice d = e.device();
        out.println("<tr><td>" + Html.time(e.timestampMillis()) + "</td><td>" + Html.esc(e.action()) + "</td><td>"
                + d.vendorHex() + ":" + d.productHex() + "</td><td>" + Html.esc(d.product()) + "</td><td>"
                + Html.esc(d.serial()) + "</td><td>" + Html.esc(d.portPath()) + "</td><td>"
                + Html.esc(String.join(", ", e.sources())) + "</td><td>" + Html.esc(e.eventId()) + "</td></tr>");
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /**
     * The browser side: an EventSource on {@code /events}; each event adds a row (built with textContent, never as
     * markup) and reloads the device table fragment. No {@code ${...}} anywhere: the console would substitute it.
     */
    private static void script(PrintWriter out, String root) {
        out.println("<script type='text/javascript'>");
        out.println("(function(){");
        out.println(" var root = " + Html.json(root) + ";");
        out.println(" var live = document.getElementById('aw-live');");
        out.println(" function reload(){ fetch(root + '/table', {credentials:'same-origin', cache:'no-store'})"
                + ".then(function(r){ return r.ok ? r.text() : Promise.reject(r.status); })"
                + ".then(function(html){ document.getElementById('aw-devices-body').innerHTML = html;"
                + " var n = document.querySelectorAll('#aw-devices-body tr.aw-device').length;"
                + " var s = document.getElementById('aw-devices-status'); s.firstChild.nodeValue = n + "
                + "' device(s) connected. '; }); }");
        out.println(" function cell(tr, text){ var td = document.createElement('td'); td.textContent = "
                + "text == null ? '' : text; tr.appendChild(td); }");
        out.println(" var es = new EventSource(root + '/events');");
        out.println(" es.onopen = function(){ live.textContent = 'Live updates: on'; live.className = 'aw-on';"
                + " reload(); };");
        out.println(" es.onerror = function(){ live.textContent = 'Live updates: reconnecting...';"
                + " live.className = 'aw-off'; };");
        out.println(" es.addEventListener('usb', function(m){ var e = JSON.parse(m.data);"
                + " var tr = document.createElement('tr'); tr.className = 'aw-event';"
                + " cell(tr, e.time); cell(tr, e.action); cell(tr, e.vendor_id + ':' + e.product_id);"
                + " cell(tr, e.product); cell(tr, e.serial); cell(tr, e.port_path); cell(tr, e.sources.join(', '));"
                + " cell(tr, e.event_id);"
                + " var body = document.getElementById('aw-events-body'); body.insertBefore(tr, body.firstChild);"
                + " while (body.rows.length > " + EVENTS_SHOWN + ") body.deleteRow(body.rows.length - 1);"
                + " reload(); });");
        out.println("})();");
        out.println("</script>");
    }

    // ---- the event stream -------------------------------------------------------------------------------------

    private void stream(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType("text/event-stream;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Accel-Buffering", "no");
        OutputStream out = response.getOutputStream();
        BlockingQueue<Object> queue = feed.subscribe();
        try {
            write(out, "retry: 2000\n: connected\n\n");
            while (true) {
                Object next;
                try {
                    next = queue.poll(feed.settings().heartbeatMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (next == DeviceFeed.Closed.INSTANCE) {
                    return;
                }
                if (next instanceof UsbEvent e) {
                    write(out, "event: usb\nid: " + oneLine(e.eventId()) + "\ndata: " + json(e) + "\n\n");
                } else {
                    write(out, ": keep-alive\n\n"); // also how a closed connection is noticed
                }
            }
        } catch (IOException e) {
            // the browser went away
        } finally {
            feed.unsubscribe(queue);
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    static String json(UsbEvent e) {
        UsbDevice d = e.device();
        return "{\"event_id\":" + Html.json(e.eventId()) + ",\"action\":" + Html.json(e.action().toString())
                + ",\"time\":" + Html.json(Html.time(e.timestampMillis())) + ",\"vendor_id\":"
                + Html.json(d.vendorHex()) + ",\"product_id\":" + Html.json(d.productHex()) + ",\"product\":"
                + Html.json(d.product()) + ",\"manufacturer\":" + Html.json(d.manufacturer()) + ",\"serial\":"
                + Html.json(d.serial()) + ",\"port_path\":" + Html.json(d.portPath()) + ",\"signature\":"
                + Html.json(d.signature()) + ",\"sources\":[" + e.sources().stream().sorted().map(Html::json)
                        .collect(Collectors.joining(",")) + "]}";
    }
}
