package io.autoweave.sample.notifier;

import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * Posts every USB event it may see as a small JSON object to one HTTP endpoint, named by the framework property
 * {@value #URL_PROPERTY} ({@code java -jar autoweave.jar -Dautoweave.notifier.url=http://localhost:9000/usb}). A
 * property, not a ConfigAdmin configuration: File Install binds configurations to any bundle ("?"), and granting
 * plugins the right to receive those would hand them every runtime configuration.
 *
 * <p>What it may reach is decided by its security level and its {@code OSGI-INF/permissions.perm} (loopback ports
 * 1024 and up): any other address is denied by the framework and recorded as a violation. A failed post is logged
 * and not retried: a plugin that needs guaranteed delivery uses the runtime's webhooks instead.
 */
@Component
public final class Notifier implements UsbEventListener {
    static final String URL_PROPERTY = "autoweave.notifier.url";
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
    private static final int TIMEOUT_MS = 2000;

    private final URL url;

    @Activate
    public Notifier(BundleContext context) throws IOException {
        String text = context.getProperty(URL_PROPERTY);
        if (text == null || text.isBlank()) {
            throw new IllegalStateException("set " + URL_PROPERTY + "=http://localhost:PORT/path (a framework or "
                    + "system property) to tell the notifier where to post");
        }
        this.url = new URL(text.trim());
        if (!"http".equals(url.getProtocol())) {
            throw new IllegalArgumentException(URL_PROPERTY + " must be http://host:port/path, not " + text);
        }
    }

    @Override
    public void onEvent(UsbEvent event) {
        byte[] body = json(event).getBytes(StandardCharsets.UTF_8);
        try {
            HttpURLConnection c = (HttpURLConnection) url.openConnection();
            c.setConnectTimeout(TIMEOUT_MS);
            c.setReadTimeout(TIMEOUT_MS);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
            int status = c.getResponseCode();
            c.disconnect();
            if (status / 100 != 2) {
                LOG.warn("notifier: {} answered {} for event {}", url, status, event.eventId());
            }
        } catch (IOException | SecurityException e) {
            LOG.warn("notifier: could not post event {} to {}: {}", event.eventId(), url, e.toString());
        }
    }

    static String json(UsbEvent e) {
        UsbDevice d = e.device();
        return "{\"event_id\":" + str(e.eventId()) + ",\"action\":" + str(e.action().wireName())
                + ",\"vendor_id\":" + str(d.vendorHex()) + ",\"product_id\":" + str(d.productHex())
                + ",\"serial_number\":" + str(d.serial()) + ",\"product\":" + str(d.product())
                + ",\"port_path\":" + str(d.portPath()) + ",\"device_signature\":" + str(d.signature()) + "}";
    }

    private static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
