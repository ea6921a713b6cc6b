package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;

/**
 * What a client can send wrong, over real loopback HTTP (raw sockets where a client library would refuse to send
 * it): the answer is a 4xx in the API's JSON error shape, never a 5xx, never a class name or stack trace.
 */
public class HttpAbuseIT {

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    private static final String ADMIN = "Basic " + Base64.getEncoder().encodeToString(("admin:"
            + RuntimeHarness.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));

    /** A raw answer: status line and the rest. */
    record Raw(String statusLine, int status, String text) {
    }

    @BeforeClass
    public static void consoleUp() throws Exception {
        RuntimeHarness.await("the console and the API", 60, () -> {
            try {
                return RUNTIME.get("/system/console/aw-security", "admin", RuntimeHarness.ADMIN_PASSWORD)
                        .status() == 200 && RUNTIME.get("/api/v1/status", "admin", RuntimeHarness.ADMIN_PASSWORD)
                                .status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Sends {@code request} as is and reads until the server closes (or 10 s pass). */
    static Raw raw(String request) throws Exception {
        return raw(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    static Raw raw(byte[] request) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), URI_PORT())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0;) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // what arrived is the answer
            }
            String text = got.toString(StandardCharsets.ISO_8859_1);
            String line = text.lines().findFirst().orElse("");
            String[] p = line.split(" ");
            int status = p.length > 1 && p[1].matches("\\d{3}") ? Integer.parseInt(p[1]) : -1;
            return new Raw(line, status, text);
        }
    }

    private static int URI_PORT() {
        return java.net.URI.create(RUNTIME.baseUrl()).getPort();
    }

    private static void assertClientError(String what, int expected, Raw r) {
        assertEquals(what + ": " + r.text(), expected, r.status());
        assertJsonWithoutInternals(what, r.text());
    }

    private static void assertJsonWithoutInternals(String what, String text) {
        assertTrue(what + " answers the JSON error shape: " + text, text.contains("\"error\":\"")
                && text.contains("\"message\":\""));
        assertFalse(what + " names no class: " + text, text.contains("org.eclipse") || text.contains("java.")
                || text.contains("Exception") || text.contains("\tat "));
    }

    @Test
    public void aMalformedPercentEscapeInTheQueryIs400() throws Exception {
        for (String path : new String[] { "/api/v1/security/audit?decision=%ff", "/api/v1/status?x=%zz",
                "/api/v1/devices?vendor=%", "/system/console/aw-security?decision=%ff", "/metrics?a=%c3%28" }) {
            RuntimeHarness.Response r = RuntimeHarness.request("GET", RUNTIME.baseUrl() + path, ADMIN, null);
            assertEquals(path + ": " + r.body(), 400, r.status());
            assertJsonWithoutInternals(path, r.body());
        }
    }

    @Test
    public void aConsoleFormOver200KbIs413() throws Exception {
        String form = "action=block&plugin=" + "a".repeat(210_000);
        Raw r = raw("POST /system/console/aw-plugins HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ADMIN
                + "\r\nOrigin: " + RUNTIME.baseUrl() + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + form.length() + "\r\nConnection: close\r\n\r\n" + form);
        assertClientError("a 210 KB console form", 413, r);
        // the same body sent chunked (no length to check up front): Jetty's own limit, still a 4xx
        String chunked = Integer.toHexString(form.length()) + "\r\n" + form + "\r\n0\r\n\r\n";
        Raw c = raw("POST /system/console/aw-plugins HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ADMIN
                + "\r\nOrigin: " + RUNTIME.baseUrl() + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked);
        assertTrue("a chunked 210 KB form: " + c.statusLine(), c.status() >= 400 && c.status() < 500);
    }

    @Test
    public void anUnknownMethodIs405WithAllow() throws Exception {
        for (String target : new String[] { "/api/v1/status", "/health/live", "/metrics", "/system/console/aw-devices" }) {
            Raw r = raw("FROB " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + ADMIN
                    + "\r\nConnection: close\r\n\r\n");
            assertClientError("FROB " + target, 405, r);
            assertTrue(r.text(), r.text().contains("Allow: "));
        }
        Raw trace = raw("TRACE /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertClientError("TRACE", 405, trace);
    }

    @Test
    public void oddPluginNamesAndPathParametersAre400AndBlockNothing() throws Exception {
        for (String name : new String[] { "*", "%E2%98%83", "x".repeat(3000), "com.example;evil=1", "com..example",
                "com.example%3Bevil=1" }) {
            RuntimeHarness.Response r = RuntimeHarness.request("POST", RUNTIME.baseUrl() + "/api/v1/plugins/" + name
                    + "/block", ADMIN, null);
            String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
            assertEquals(shown + ": " + r.body(), 400, r.status());
            assertJsonWithoutInternals(shown, r.body());
            assertTrue(shown + " says what is wrong: " + r.body(), r.body().contains("symbolic name")
                    || r.body().contains("at most 255") || r.body().contains("path parameters"));
        }
        RuntimeHarness.Response get = RuntimeHarness.request("GET", RUNTIME.baseUrl() + "/api/v1/plugins/a;b=c",
                ADMIN, null);
        assertEquals(get.body(), 400, get.status());
        RuntimeHarness.Response sig = RuntimeHarness.request("GET", RUNTIME.baseUrl() + "/api/v1/devices/"
                + "f".repeat(3000), ADMIN, null);
        assertEquals(400, sig.status());
        assertTrue(sig.body(), sig.body().contains("64 hex digits") && sig.body().length() < 400);
        String security = RuntimeHarness.request("GET", RUNTIME.baseUrl() + "/api/v1/security", ADMIN, null).body();
        assertTrue("nothing was blocked: " + security, security.contains("\"blocked\":{}"));
        java.nio.file.Path state = RUNTIME.dataDir().resolve("security/blocked.properties");
        assertFalse(Files.exists(state) && Files.readString(state).contains("example"));
    }

    @Test
    public void http09AndGarbageRequestLinesAre400() throws Exception {
        assertClientError("HTTP/0.9", 400, raw("GET /health/live\r\n\r\n"));
        assertClientError("HTTP/7.0", 400, raw("GET /health/live HTTP/7.0\r\nHost: x\r\n\r\n"));
        Raw garbage = raw(new byte[] { 'G', 'E', 'T', ' ', '/', 0x01, (byte) 0xff, ' ', 'H', '\r', '\n', '\r', '\n' });
        assertTrue("garbage: " + garbage.text(), garbage.status() >= 400 && garbage.status() < 500);
        assertFalse(garbage.text(), garbage.text().contains("org.eclipse"));
    }
}
