package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;

import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * The REST resources and the event stream over real HTTP on loopback, in the real runtime with security on:
 * devices after simulated attaches, SSE with Last-Event-ID resume and the missed-events marker, plugins installed
 * by upload through the signature gate, block/unblock seen in the audit, and every resource refusing missing or
 * wrong credentials and the wrong role.
 */
public class RestApiIT {

    static final String VIEWER = "awt_viewer_" + Long.toHexString(new SecureRandom().nextLong());
    static final String OPERATOR = "awt_operator_" + Long.toHexString(new SecureRandom().nextLong());
    static final String ADMIN = "awt_admin_" + Long.toHexString(new SecureRandom().nextLong());
    static final long MAX_PLUGIN_BYTES = 300_000;
    static final int MAX_STREAMS = 2;

    private static final String PASSWORD = "itest-trust-pw";
    private static final Path WORK = PluginInstallITSupport.tempDir("autoweave-rest-it");
    private static final TestSigning.Credentials CA = TestSigning.newCa("AutoWeave REST ITest CA");
    private static final Path TRUST = TestSigning.trustStore(WORK.resolve("plugins-truststore.p12"),
            PASSWORD.toCharArray(), CA.certificate());
    private static final String HID_BSN = "io.autoweave.sample.hid.logger";
    private static final Path HID_UNSIGNED = Path.of(System.getProperty("sample.hid-logger"));
    private static final Path HID = TestSigning.sign(HID_UNSIGNED, WORK.resolve("hid-logger.jar"),
            TestSigning.issue(CA, "REST ITest Signer"));

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness()
            .config("io.autoweave.http.config", "tokens=[\"" + HttpApiIT.line("dash", "viewer", VIEWER) + "\",\""
                    + HttpApiIT.line("ci", "operator", OPERATOR) + "\",\"" + HttpApiIT.line("root", "admin", ADMIN)
                    + "\"]\nmax.plugin.bytes=L\"" + MAX_PLUGIN_BYTES + "\"\n")
            .config("io.autoweave.auth.cfg", "failures.per.minute=1000\n")
            // 64 KiB segments, 128 KiB kept: a few hundred events make retention drop the oldest segment
            .config("io.autoweave.eventlog.cfg", "segment.mb=0.0625\nretention.mb=0.125\n")
            // simulated devices restored across the pipeline restart below are never confirmed by a source: keep them
            // (no reconciled detaches in the middle of later tests' streams)
            .config("io.autoweave.usb.pipeline.cfg", "reconcile.grace.ms=3600000\n")
            .config("io.autoweave.http.events.cfg", "heartbeat.seconds=1\nmax.streams=" + MAX_STREAMS + "\n")
            .config("io.autoweave.plugin.installer.cfg", "trust.store.path=" + TRUST + "\n.trust.store.password="
                    + PASSWORD + "\n");

    private static Gogo gogo;

    @BeforeClass
    public static void ready() throws Exception {
        gogo = new Gogo(RUNTIME.context());
        RuntimeHarness.await("the tokens to be applied", 60, () -> status("/api/v1/status", ADMIN) == 200);
        RuntimeHarness.await("the event resource", 30, () -> status("/api/v1/events?limit=1", VIEWER) == 200);
    }

    private static int status(String path, String token) {
        try {
            RuntimeHarness.Response r = call("GET", path, token, null, null);
            if (r.status() != 200) {
                System.out.println("[itest] " + path + ": " + r.status() + " " + r.body());
            }
            return r.status();
        } catch (IOException e) {
            return -1;
        }
    }

    // ---- HTTP helpers ----------------------------------------------------------------------------------------------

    static RuntimeHarness.Response call(String method, String path, String token, String contentType, byte[] body)
            throws IOException {
        return raw(method, path, token == null ? null : "Bearer " + token, contentType, body);
    }

    static RuntimeHarness.Response raw(String method, String path, String authorization, String contentType,
            byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(RUNTIME.baseUrl() + path).openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(5000);
        c.setReadTimeout(60_000);
        if (authorization != null) {
            c.setRequestProperty("Authorization", authorization);
        }
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", contentType);
            if (body.length > 64 * 1024) {
                c.setFixedLengthStreamingMode(body.length); // large uploads; small ones stay buffered, which lets
                // HttpURLConnection read a 401's body (in streaming mode it throws HttpRetryException instead)
            }
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            } catch (IOException e) {
                // the server may answer (413) before reading the whole body
            }
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new RuntimeHarness.Response(status, in == null ? "" : new String(in.readAllBytes(),
                StandardCharsets.UTF_8));
    }

    static String basicAdmin() {
        return "Basic " + Base64.getEncoder().encodeToString(("admin:" + RuntimeHarness.ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
    }

    static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    static void simulate(String action, String serial, String port) throws Exception {
        Object answer = gogo.run("aw:simulate " + action + " 1d50:6089 " + serial + " " + port);
        assertTrue(String.valueOf(answer), String.valueOf(answer).contains("reported by simulated"));
    }

    /** A stream; waits while the stream limit is reached by streams of earlier tests not yet found closed. */
    static SseClient stream(String query, String lastEventId) throws Exception {
        SseClient[] s = new SseClient[1];
        RuntimeHarness.await("an event stream", 20, () -> {
            try {
                s[0] = new SseClient(RUNTIME.baseUrl() + "/api/v1/events" + query, "Bearer " + VIEWER, lastEventId);
            } catch (IOException e) {
                return false;
            }
            return s[0].status != 503;
        });
        assertEquals(200, s[0].status);
        return s[0];
    }

    /** The next {@code n} attach/detach events; a marker where an event belongs fails. */
    static List<SseClient.Event> events(SseClient s, int n) throws InterruptedException {
        List<SseClient.Event> out = new ArrayList<>();
        while (out.size() < n) {
            SseClient.Event e = s.next(20);
            assertTrue(e.type() + " " + e.data(), e.type().equals("attach") || e.type().equals("detach"));
            out.add(e);
        }
        return out;
    }

    // ---- credentials and roles -------------------------------------------------------------------------------------

    @Test
    public void everyResourceRefusesMissingAndWrongCredentialsAndTheWrongRole() throws Exception {
        String sig = "0".repeat(64);
        String[][] reads = { { "GET", "/api/v1/devices" }, { "GET", "/api/v1/devices/" + sig },
                { "GET", "/api/v1/events?limit=5" }, { "GET", "/api/v1/events" }, { "GET", "/api/v1/plugins" },
                { "GET", "/api/v1/plugins/" + HID_BSN }, { "GET", "/api/v1/security" },
                { "GET", "/api/v1/security/audit" }, { "GET", "/api/v1/security/violations" } };
        String[][] operatorWrites = { { "POST", "/api/v1/plugins/" + HID_BSN + "/start" },
                { "POST", "/api/v1/plugins/" + HID_BSN + "/stop" } };
        String[][] adminWrites = { { "POST", "/api/v1/plugins" }, { "DELETE", "/api/v1/plugins/" + HID_BSN },
                { "POST", "/api/v1/plugins/" + HID_BSN + "/block" },
                { "POST", "/api/v1/plugins/" + HID_BSN + "/unblock" } };
        List<String[]> all = new ArrayList<>(List.of(reads));
        all.addAll(List.of(operatorWrites));
        all.addAll(List.of(adminWrites));
        for (String[] r : all) {
            byte[] body = r[0].equals("GET") ? null : json("{}");
            RuntimeHarness.Response none = raw(r[0], r[1], null, "application/json", body);
            assertEquals(r[0] + " " + r[1] + " without credentials", 401, none.status());
            assertTrue(r[1] + ": " + none.body(), none.body().startsWith("{\"error\":\"unauthorized\""));
            assertEquals(r[0] + " " + r[1] + " with a wrong token", 401,
                    call(r[0], r[1], "awt_wrong_" + VIEWER, "application/json", body).status());
            assertEquals(r[0] + " " + r[1] + " with a wrong password", 401, raw(r[0], r[1], "Basic "
                    + Base64.getEncoder().encodeToString("admin:wrong".getBytes(StandardCharsets.UTF_8)),
                    "application/json", body).status());
        }
        for (String[] r : operatorWrites) {
            RuntimeHarness.Response v = call(r[0], r[1], VIEWER, "application/json", json("{}"));
            assertEquals(r[0] + " " + r[1] + " as viewer", 403, v.status());
            assertTrue(v.body(), v.body().contains("needs operator"));
        }
        for (String[] r : adminWrites) {
            for (String token : new String[] { VIEWER, OPERATOR }) {
                RuntimeHarness.Response w = call(r[0], r[1], token, "application/json", json("{}"));
                assertEquals(r[0] + " " + r[1] + " as " + token, 403, w.status());
                assertTrue(w.body(), w.body().contains("needs admin"));
            }
        }
    }

    // ---- devices ----------------------------------------------------------------------------------------------------

    @Test
    public void aSimulatedDeviceIsListedFilteredAndShownWithItsRecentEvents() throws Exception {
        simulate("attach", "REST-DEV-1", "7-1");
        RuntimeHarness.await("the device in /api/v1/devices", 20, () -> {
            try {
                return call("GET", "/api/v1/devices", VIEWER, null, null).body().contains("\"REST-DEV-1\"");
            } catch (IOException e) {
                return false;
            }
        });
        RuntimeHarness.Response byVendor = call("GET", "/api/v1/devices?vendor=1d50&product=6089", VIEWER, null,
                null);
        assertEquals(200, byVendor.status());
        assertTrue(byVendor.body(), byVendor.body().contains("\"serial_number\":\"REST-DEV-1\""));
        assertTrue(byVendor.body(), byVendor.body().contains("\"since\":\"20"));
        assertFalse(call("GET", "/api/v1/devices?vendor=046d", VIEWER, null, null).body().contains("REST-DEV-1"));
        assertFalse(call("GET", "/api/v1/devices?class=e0", VIEWER, null, null).body().contains("REST-DEV-1"));

        RuntimeHarness.Response bad = call("GET", "/api/v1/devices?vendor=xyz", VIEWER, null, null);
        assertEquals(400, bad.status());
        assertTrue(bad.body(), bad.body().contains("vendor must be 1 to 4 hex digits"));
        RuntimeHarness.Response typo = call("GET", "/api/v1/devices?vendr=1d50", VIEWER, null, null);
        assertEquals(400, typo.status());
        assertTrue(typo.body(), typo.body().contains("unknown query parameter 'vendr'"));

        String devices = byVendor.body();
        int at = devices.indexOf("\"serial_number\":\"REST-DEV-1\"");
        String signature = field(devices.substring(devices.lastIndexOf("{", at)), "device_signature");
        assertNotNull(devices, signature);
        // recent events are committed ones (durable first): the group commit may trail the registry a little
        RuntimeHarness.Response[] last = new RuntimeHarness.Response[1];
        RuntimeHarness.await("the committed attach in the device's recent events", 15, () -> {
            try {
                last[0] = call("GET", "/api/v1/devices/" + signature, VIEWER, null, null);
                return last[0].body().contains("\"recent_events\":[{");
            } catch (IOException e) {
                return false;
            }
        });
        RuntimeHarness.Response one = last[0];
        assertEquals(one.body(), 200, one.status());
        assertTrue(one.body(), one.body().contains("\"connected\":true"));
        assertTrue(one.body(), one.body().contains("\"recent_events\":[{\"seq\":"));
        assertTrue(one.body(), one.body().contains("\"action\":\"attach\""));

        RuntimeHarness.Response unknown = call("GET", "/api/v1/devices/" + "0".repeat(64), VIEWER, null, null);
        assertEquals(404, unknown.status());
        assertTrue(unknown.body(), unknown.body().startsWith("{\"error\":\"not_found\""));
        assertEquals(400, call("GET", "/api/v1/devices/not-a-signature", VIEWER, null, null).status());
    }

    // ---- the event stream -------------------------------------------------------------------------------------------

    @Test
    public void aReconnectWithLastEventIdGetsExactlyTheMissedEventsThenLiveOnes() throws Exception {
        String last;
        try (SseClient live = stream("", null)) {
            simulate("attach", "SSE-A1", "8-1");
            simulate("attach", "SSE-A2", "8-2");
            simulate("attach", "SSE-A3", "8-3");
            List<SseClient.Event> first = events(live, 3);
            assertTrue(first.get(0).data(), first.get(0).data().contains("\"serial_number\":\"SSE-A1\""));
            assertTrue(first.get(2).data(), first.get(2).data().contains("\"serial_number\":\"SSE-A3\""));
            assertEquals(first.get(0).sequence() + 2, first.get(2).sequence());
            last = first.get(2).id();
        }
        // while disconnected; the detach is committed before the next attaches (a detach soon after its attach is
        // held by the debouncer for its window, and other devices' events would pass it)
        simulate("detach", "SSE-A1", "8-1");
        RuntimeHarness.await("the detach committed", 10, () -> {
            try {
                return call("GET", "/api/v1/events?since=" + last + "&limit=1", VIEWER, null, null).body()
                        .contains("\"action\":\"detach\"");
            } catch (Exception e) {
                return false;
            }
        });
        simulate("attach", "SSE-B1", "8-4");
        simulate("attach", "SSE-B2", "8-5");
        try (SseClient resumed = stream("", last)) {
            List<SseClient.Event> missed = events(resumed, 3);
            long l = Long.parseLong(last);
            assertEquals(List.of(l + 1, l + 2, l + 3), missed.stream().map(SseClient.Event::sequence).toList());
            assertEquals("detach", missed.get(0).type());
            assertTrue(missed.get(0).data().contains("\"serial_number\":\"SSE-A1\""));
            assertTrue(missed.get(2).data().contains("\"serial_number\":\"SSE-B2\""));
            simulate("attach", "SSE-C1", "8-6");
            SseClient.Event live = events(resumed, 1).get(0);
            assertEquals(l + 4, live.sequence());
            assertTrue(live.data().contains("\"serial_number\":\"SSE-C1\""));
            assertNull("no duplicate, nothing extra", resumed.poll(1500));
        }
        // clients that cannot set headers resume with ?since=
        try (SseClient since = stream("?since=" + last, null)) {
            assertEquals(Long.parseLong(last) + 1, events(since, 1).get(0).sequence());
        }
        // and the JSON form serves the same events
        RuntimeHarness.Response list = call("GET", "/api/v1/events?since=" + last + "&limit=2", VIEWER, null, null);
        assertEquals(200, list.status());
        assertTrue(list.body(), list.body().contains("\"events\":[{\"seq\":" + (Long.parseLong(last) + 1) + ","));
        assertEquals(400, call("GET", "/api/v1/events?limit=0", VIEWER, null, null).status());
        SseClient bad = new SseClient(RUNTIME.baseUrl() + "/api/v1/events", "Bearer " + VIEWER, "not-a-number");
        assertEquals(400, bad.status);
        bad.close();
    }

    @Test
    public void anIdOlderThanTheHistoryGetsAnExplicitMissedEventBeforeTheRest() throws Exception {
        String last;
        try (SseClient live = stream("", null)) {
            simulate("attach", "OVF-0", "9-0");
            last = events(live, 1).get(0).id();
        }
        long l = Long.parseLong(last);
        // attach devices until retention has dropped the segment holding `last` (the JSON form says so)
        int more = 0;
        while (!call("GET", "/api/v1/events?since=" + last + "&limit=1", VIEWER, null, null).body()
                .contains("\"missed\"")) {
            assertTrue("retention dropped nothing after " + more + " events", more < 20_000);
            for (int i = 0; i < 100; i++) {
                more++;
                simulate("attach", "OVF-" + more, "9-" + more);
            }
        }
        try (SseClient resumed = stream("", last)) {
            SseClient.Event marker = resumed.next(20);
            assertEquals(marker.data(), "missed", marker.type());
            long to = marker.sequence();
            assertTrue("the records removed by retention: " + marker.data(), to > l);
            assertTrue(marker.data(), marker.data().contains("\"from\":" + (l + 1) + ",\"to\":" + to
                    + ",\"count\":" + (to - l)));
            // then every kept record, from the first one retention kept, without a gap, up to the newest
            SseClient.Event first = resumed.next(20);
            assertEquals("the first kept record follows the missed range", to + 1, first.sequence());
            long expected = to + 2;
            while (expected <= l + more) {
                assertEquals(expected, resumed.next(20).sequence());
                expected++;
            }
            assertTrue(first.data(), first.data().contains("\"serial_number\":\"OVF-"));
        }
        RuntimeHarness.Response list = call("GET", "/api/v1/events?since=" + last + "&limit=1", VIEWER, null, null);
        assertTrue(list.body(), list.body().contains("\"missed\":{\"from\":" + (l + 1)));
    }

    @Test
    public void aResumeAcrossARestartOfThePipelineGetsTheJournaledEventsAndNoSequenceIsReused() throws Exception {
        long before;
        try (SseClient live = stream("", null)) {
            simulate("attach", "RST-1", "10-1");
            simulate("attach", "RST-2", "10-2");
            before = events(live, 2).get(0).sequence();
        }
        Bundle pipeline = bundle("io.autoweave.usb.pipeline");
        pipeline.stop(); // the journal writes what it held; the history is rebuilt from it at start
        pipeline.start();
        RuntimeHarness.await("aw:simulate back after the restart", 30, () -> {
            try {
                simulate("attach", "RST-3", "10-3");
                return true;
            } catch (Exception | AssertionError e) {
                return false;
            }
        });
        try (SseClient resumed = stream("", Long.toString(before))) {
            List<SseClient.Event> ev = events(resumed, 2);
            assertEquals(before + 1, ev.get(0).sequence());
            assertTrue(ev.get(0).data(), ev.get(0).data().contains("\"serial_number\":\"RST-2\""));
            assertEquals("a clean stop leaves no gap", before + 2, ev.get(1).sequence());
            assertTrue(ev.get(1).data(), ev.get(1).data().contains("\"serial_number\":\"RST-3\""));
        }
    }

    @Test
    public void streamsBeyondTheLimitAnswer503AndAClosedStreamFreesItsPlace() throws Exception {
        SseClient a = stream("", null);
        SseClient b = stream("", null);
        try {
            SseClient c = new SseClient(RUNTIME.baseUrl() + "/api/v1/events", "Bearer " + VIEWER, null);
            assertEquals(503, c.status);
            assertEquals("a full stream limit says when to retry", "5", c.header("Retry-After"));
            c.close();
            RuntimeHarness.Response r = call("GET", "/api/v1/events", VIEWER, null, null);
            assertEquals(503, r.status());
            assertTrue(r.body(), r.body().contains("\"error\":\"too_many_streams\""));
        } finally {
            a.close();
        }
        try {
            // the server finds the closed client at its next heartbeat (1 s here) and the probe after it
            RuntimeHarness.await("a place for a new stream", 20, () -> {
                try {
                    SseClient d = new SseClient(RUNTIME.baseUrl() + "/api/v1/events", "Bearer " + VIEWER, null);
                    d.close();
                    return d.status == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        } finally {
            b.close();
        }
    }

    // ---- plugins and security -------------------------------------------------------------------------------------

    static Bundle bundle(String bsn) {
        for (Bundle b : RUNTIME.context().getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    @Test
    public void aSignedPluginUploadedByAnAdminRunsStopsStartsBlocksUnblocksAndUninstallsWithAudit()
            throws Exception {
        RuntimeHarness.Response installed = raw("POST", "/api/v1/plugins?level=medium", basicAdmin(),
                "application/java-archive", Files.readAllBytes(HID));
        try {
            assertEquals(installed.body(), 201, installed.status());
            assertTrue(installed.body(), installed.body().contains("\"symbolic_name\":\"" + HID_BSN + "\""));
            assertTrue(installed.body(), installed.body().contains("\"state\":\"RUNNING\""));
            assertTrue(installed.body(), installed.body().contains("\"location\":\"plugin:medium/" + HID_BSN + "\""));
            assertTrue(call("GET", "/api/v1/plugins", VIEWER, null, null).body().contains(HID_BSN));

            RuntimeHarness.Response stopped = call("POST", "/api/v1/plugins/" + HID_BSN + "/stop", OPERATOR, null,
                    null);
            assertEquals(stopped.body(), 200, stopped.status());
            assertEquals(org.osgi.framework.Bundle.RESOLVED, bundle(HID_BSN).getState());
            assertEquals(200, call("POST", "/api/v1/plugins/" + HID_BSN + "/start", OPERATOR, null, null).status());
            assertEquals(org.osgi.framework.Bundle.ACTIVE, bundle(HID_BSN).getState());

            RuntimeHarness.Response blocked = call("POST", "/api/v1/plugins/" + HID_BSN + "/block", ADMIN,
                    "application/json", json("{\"reason\":\"rest itest\"}"));
            assertEquals(blocked.body(), 200, blocked.status());
            assertTrue(blocked.body(), blocked.body().contains("\"blocked\":true"));
            RuntimeHarness.await("the blocked plugin stopped", 20,
                    () -> bundle(HID_BSN) == null || bundle(HID_BSN).getState() != Bundle.ACTIVE);
            RuntimeHarness.Response status = call("GET", "/api/v1/security", VIEWER, null, null);
            assertTrue(status.body(), status.body().contains("\"blocked\":{\"" + HID_BSN + "\":"));
            RuntimeHarness.Response refused = call("POST", "/api/v1/plugins/" + HID_BSN + "/start", OPERATOR, null,
                    null);
            assertEquals(409, refused.status());
            assertTrue(refused.body(), refused.body().contains("is blocked"));
            RuntimeHarness.Response audit = call("GET", "/api/v1/security/audit?plugin=" + HID_BSN
                    + "&decision=blocked", VIEWER, null, null);
            assertEquals(200, audit.status());
            assertTrue(audit.body(), audit.body().contains("\"decision\":\"blocked\",\"subject\":\"" + HID_BSN));
            assertTrue(audit.body(), audit.body().contains("rest itest"));

            assertEquals(200, call("POST", "/api/v1/plugins/" + HID_BSN + "/unblock", ADMIN, null, null).status());
            RuntimeHarness.Response unblockAudit = call("GET", "/api/v1/security/audit?plugin=" + HID_BSN
                    + "&decision=unblocked&limit=5", VIEWER, null, null);
            assertTrue(unblockAudit.body(), unblockAudit.body().contains("\"decision\":\"unblocked\""));
            assertEquals(409, call("POST", "/api/v1/plugins/" + HID_BSN + "/unblock", ADMIN, null, null).status());
            assertFalse(call("GET", "/api/v1/security", VIEWER, null, null).body().contains(HID_BSN));
            RuntimeHarness.Response detail = call("GET", "/api/v1/plugins/" + HID_BSN, VIEWER, null, null);
            assertTrue(detail.body(), detail.body().contains("\"recent_audit\":[{"));
            assertEquals(400, call("GET", "/api/v1/security/audit?plugin=a%20b", VIEWER, null, null).status());
        } finally {
            RuntimeHarness.Response removed = call("DELETE", "/api/v1/plugins/" + HID_BSN, ADMIN, null, null);
            assertEquals(removed.body(), 200, removed.status());
        }
        assertNull(bundle(HID_BSN));
        assertEquals(404, call("GET", "/api/v1/plugins/" + HID_BSN, VIEWER, null, null).status());
        assertTrue(call("GET", "/api/v1/security/audit?decision=uninstalled", VIEWER, null, null).body()
                .contains(HID_BSN));
    }

    @Test
    public void anUnsignedUploadIsRefusedWith422AndTheGatesReasonAndNothingIsInstalled() throws Exception {
        int before = RUNTIME.context().getBundles().length;
        RuntimeHarness.Response r = call("POST", "/api/v1/plugins?level=low", ADMIN, "application/octet-stream",
                Files.readAllBytes(HID_UNSIGNED));
        assertEquals(r.body(), 422, r.status());
        assertTrue(r.body(), r.body().startsWith("{\"error\":\"install_refused\",\"reason\":\"UNSIGNED\""));
        assertEquals(before, RUNTIME.context().getBundles().length);
        assertNull(bundle(HID_BSN));
        assertFalse(call("GET", "/api/v1/plugins", VIEWER, null, null).body().contains(HID_BSN));
        assertTrue(call("GET", "/api/v1/security/audit?decision=install-refused", VIEWER, null, null).body()
                .contains("install-gate:UNSIGNED"));
    }

    @Test
    public void installRequestsThatAreTooLargeOfTheWrongTypeOrForLocalFilesAreRefusedClearly() throws Exception {
        RuntimeHarness.Response big = call("POST", "/api/v1/plugins", ADMIN, "application/java-archive",
                new byte[(int) MAX_PLUGIN_BYTES + 1]);
        assertEquals(big.body(), 413, big.status());
        assertTrue(big.body(), big.body().contains("max.plugin.bytes"));
        RuntimeHarness.Response type = call("POST", "/api/v1/plugins", ADMIN, "text/plain", json("x"));
        assertEquals(415, type.status());
        RuntimeHarness.Response local = call("POST", "/api/v1/plugins", ADMIN, "application/json",
                json("{\"url\":\"file:/etc/passwd\",\"level\":\"low\"}"));
        assertEquals(400, local.status());
        assertTrue(local.body(), local.body().contains("send it as the body"));
        RuntimeHarness.Response level = call("POST", "/api/v1/plugins?level=extreme", ADMIN,
                "application/java-archive", Files.readAllBytes(HID));
        assertEquals(400, level.status());
        assertTrue(level.body(), level.body().contains("use low, medium or high"));
        assertEquals(404, call("POST", "/api/v1/plugins/no.such.plugin/start", OPERATOR, null, null).status());
    }
}
