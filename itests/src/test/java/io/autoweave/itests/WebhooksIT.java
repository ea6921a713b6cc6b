package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.After;
import org.osgi.framework.Bundle;
import org.junit.ClassRule;
import org.junit.Test;

import com.sun.net.httpserver.HttpServer;

/**
 * Webhooks in the real runtime: a subscription in DATA/etc, a receiver on loopback that verifies every Standard
 * Webhooks signature itself and fails the first attempts, a restart of the history and webhooks bundles while the
 * receiver is down.
 */
public class WebhooksIT {
    static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    static final int PORT = freePortUnchecked();

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.webhooks.subscription-lab.config",
                    "url=\"http://127.0.0.1:" + PORT + "/hook\"\n"
                    + "secret=\"" + SECRET + "\"\n"
                    + "filter=\"(vendor_id=046d)\"\n"
                    // the camel-case names of earlier versions, on purpose: still read (with a warning)
                    + "backoffBaseMillis=L\"100\"\nbackoffMaxMillis=L\"1000\"\n"
                    + "breakerFailures=I\"4\"\nbreakerOpenMillis=L\"500\"\n")
            .config("io.autoweave.webhooks.subscription-broken.config",
                    "url=\"ftp://127.0.0.1/x\"\nsecret=\"" + SECRET + "\"\n");

    record Delivery(String id, String body, boolean valid, int status) {
    }

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final AtomicInteger failFirst = new AtomicInteger();
    private HttpServer server;

    private static int freePortUnchecked() {
        try {
            return RuntimeHarness.freePort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void startReceiver() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT), 50);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String sig = exchange.getRequestHeaders().getFirst("webhook-signature");
            int status = failFirst.getAndDecrement() > 0 ? 503 : 204;
            deliveries.add(new Delivery(id, new String(body, StandardCharsets.UTF_8), verify(id, ts, body, sig),
                    status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** The receiver's own Standard Webhooks check: HMAC-SHA256 over id.timestamp.body with the decoded key. */
    private static boolean verify(String id, String ts, byte[] body, String header) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring(6)), "HmacSHA256"));
            mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
            return header != null && header.equals("v1," + Base64.getEncoder().encodeToString(mac.doFinal(body)));
        } catch (Exception e) {
            return false;
        }
    }

    private static Bundle bundle(String symbolicName) {
        for (Bundle b : RUNTIME.context().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    @After
    public void stopReceiver() {
        if (server != null) {
            server.stop(0);
        }
    }

    private List<String> acceptedSerials() {
        List<String> serials = new ArrayList<>();
        Pattern p = Pattern.compile("\"serial_number\":\"([^\"]+)\"");
        for (Delivery d : deliveries) {
            Matcher m = p.matcher(d.body());
            if (d.status() / 100 == 2 && m.find()) {
                serials.add(d.body().contains("usb.device.attached") ? "+" + m.group(1) : "-" + m.group(1));
            }
        }
        return serials;
    }

    @Test
    public void signedRetriedFilteredAndDurableAcrossARestart() throws Exception {
        failFirst.set(3);
        startReceiver();
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            gogo.run("aw:simulate attach 046d:c52b WH-1 1-1");
            gogo.run("aw:simulate attach 1234:0001 WH-OTHER 1-2");
            gogo.run("aw:simulate detach 046d:c52b WH-1 1-1");
            RuntimeHarness.await("two filtered events delivered after 3 failed attempts", 30,
                    () -> acceptedSerials().size() == 2);
            assertEquals(List.of("+WH-1", "-WH-1"), acceptedSerials());
            assertEquals("3 refused attempts, then 2 deliveries", 5, deliveries.size());
            assertTrue("every attempt is signed right", deliveries.stream().allMatch(Delivery::valid));
            RuntimeHarness.await("aw:webhooks to count 2 delivered, 3 retries, nothing pending", 10, () -> {
                try {
                    return String.valueOf(gogo.run("aw:webhooks"))
                            .matches("(?s).*lab\\s+RUNNING\\s+\\d+\\s+0\\s+2\\s+3\\s.*");
                } catch (Exception e) {
                    return false;
                }
            });
            String status = String.valueOf(gogo.run("aw:webhooks"));
            assertTrue("a bad subscription shows why: " + status, status.contains("broken")
                    && status.contains("CONFIG_ERROR") && status.contains("must start with http:// or https://"));
            // the log file is written by the logging system's own appender: wait for the line, do not read once
            RuntimeHarness.await("the old key names read with a warning", 20, () -> RUNTIME.logText()
                    .contains("backoffBaseMillis is the old name of backoff.base.ms"));
            String log = String.valueOf(gogo.run("aw:webhooklog lab 10"));
            assertTrue(log, log.contains("retry") && log.contains("status=503") && log.contains("delivered"));
        }
        RuntimeHarness.Response metrics = RUNTIME.get("/metrics", "admin", RuntimeHarness.ADMIN_PASSWORD);
        assertTrue(metrics.body(), metrics.body().contains("autoweave_webhook_delivered_total{subscription=\"lab\"} 2"));

        // the receiver goes away; events keep coming; the runtime restarts; the receiver comes back
        server.stop(0);
        try (Gogo gogo = new Gogo(RUNTIME.context())) {
            gogo.run("aw:simulate attach 046d:c52b WH-2 1-1");
            gogo.run("aw:simulate detach 046d:c52b WH-2 1-1");
            gogo.run("aw:simulate attach 046d:c52b WH-3 1-1");
            Thread.sleep(1500); // attempts fail (connection refused) and open the breaker
        }
        // restart the event history (the pipeline bundle, which refills it from DATA/events.jsonl) and the
        // webhooks bundle (which resumes at its cursor file): a whole-framework restart in this JVM is not possible
        // (the first framework's SecurityManager stays installed), ExecutableJarIT covers process restarts
        Bundle webhooks = bundle("io.autoweave.webhooks");
        Bundle pipeline = bundle("io.autoweave.usb.pipeline");
        webhooks.stop();
        pipeline.stop();
        pipeline.start();
        webhooks.start();
        startReceiver();
        RuntimeHarness.await("the three events of the outage", 60, () -> acceptedSerials().size() == 5);
        List<String> after = acceptedSerials();
        assertEquals("the first two once, then the outage's three", List.of("+WH-1", "-WH-1"), after.subList(0, 2));
        // delivery (history) order: the debouncer may hold WH-2's quick detach until after WH-3's attach
        assertEquals(Set.of("+WH-2", "-WH-2", "+WH-3"), Set.copyOf(after.subList(2, 5)));
        assertTrue("per device, attach before detach: " + after, after.indexOf("+WH-2") < after.indexOf("-WH-2"));
        Set<String> ids = new LinkedHashSet<>();
        for (Delivery d : deliveries) {
            if (d.status() / 100 == 2) {
                assertTrue("delivered once per webhook-id: " + d.id(), ids.add(d.id()));
            }
        }
        assertTrue(deliveries.stream().allMatch(Delivery::valid));
    }
}
