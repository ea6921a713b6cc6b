package io.autoweave.webhooks.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.IntSupplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP receiver on loopback that checks each request's Standard Webhooks signature with its own HMAC code
 * (not the signer under test) and answers with the status the test chooses.
 */
final class Receiver implements AutoCloseable {
    record Request(String id, long timestamp, String signature, String body, boolean signatureValid, long atNanos,
            int answered) {
    }

    private final ConcurrentLinkedDeque<Request> seen = new ConcurrentLinkedDeque<>();
    private final byte[] key;
    private volatile IntSupplier answer = () -> 200;
    private HttpServer server;
    final int port;

    Receiver(String secret, int port) throws IOException {
        this.key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        this.port = port;
        start();
    }

    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String ts = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String sig = exchange.getRequestHeaders().getFirst("webhook-signature");
            int status = answer.getAsInt();
            seen.add(new Request(id, Long.parseLong(ts), sig, new String(body, StandardCharsets.UTF_8),
                    valid(id, ts, body, sig), System.nanoTime(), status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    private boolean valid(String id, String ts, byte[] body, String header) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + ts + ".").getBytes(StandardCharsets.UTF_8));
            String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
            for (String part : header.split(" ")) {
                if (part.equals(expected)) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    void answer(IntSupplier status) {
        this.answer = status;
    }

    List<Request> requests() {
        return new ArrayList<>(seen);
    }

    /** Requests answered 2xx, in arrival order. */
    List<Request> accepted() {
        return requests().stream().filter(r -> r.answered() / 100 == 2).toList();
    }

    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hook";
    }

    @Override
    public void close() {
        stop();
    }
}
