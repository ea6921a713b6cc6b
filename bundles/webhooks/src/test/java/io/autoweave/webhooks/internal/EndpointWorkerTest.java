package io.autoweave.webhooks.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbAction;
import io.autoweave.commons.retry.CircuitBreaker;

/** The worker against a real HTTP receiver on loopback. */
public class EndpointWorkerTest {
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final List<AutoCloseable> closers = new ArrayList<>();
    private final List<EndpointWorker> workers = new ArrayList<>();

    @After
    public void tearDown() throws Exception {
        for (EndpointWorker w : workers) {
            w.stop(5000);
        }
        for (AutoCloseable c : closers) {
            c.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Receiver receiver() throws IOException {
        Receiver r = new Receiver(SECRET, freePort());
        closers.add(r);
        return r;
    }

    private static WebhookSettings settings(String url, String filter, int maxAttempts, int breakerFailures,
            long breakerOpenMillis) {
        return new WebhookSettings("test", WebhookSettings.url(url), WebhookSigner.of(SECRET),
                WebhookSettings.filter(filter), true, 2000, 20, 200, maxAttempts, breakerFailures, breakerOpenMillis);
    }

    private EndpointWorker worker(WebhookSettings s, ListHistory history, Path dir, DeliveryLog log) {
        EndpointWorker w = new EndpointWorker(s, history, new Cursor(dir.resolve("test.cursor")), log).start();
        workers.add(w);
        return w;
    }

    private DeliveryLog log(Path dir) throws IOException {
        DeliveryLog log = new DeliveryLog(dir.resolve("deliveries.jsonl"));
        closers.add(log);
        return log;
    }

    private static void await(long millis, BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    public void deliversEveryEventOnceInOrderSignedAndSavesTheCursor() throws Exception {
        Receiver r = receiver();
        ListHistory history = new ListHistory(1000);
        Path dir = tmp.newFolder().toPath();
        EndpointWorker w = worker(settings(r.url(), null, 3, 5, 1000), history, dir, log(dir));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(history.add(i % 2 == 0 ? UsbAction.ATTACH : UsbAction.DETACH, 0x046d, "S" + i).event().eventId());
        }
        await(10_000, () -> r.accepted().size() == 50, "50 deliveries");
        assertEquals(ids, r.accepted().stream().map(Receiver.Request::id).toList());
        assertTrue("every signature verifies", r.requests().stream().allMatch(Receiver.Request::signatureValid));
        assertTrue(r.requests().get(0).body(), r.requests().get(0).body().startsWith(
                "{\"type\":\"usb.device.attached\",\"timestamp\":\"2023-11-14T22:13:20Z\",\"data\":{\"seq\":1,\"event_id\":\"ev-1\","));
        assertTrue("HTML in strings is escaped: " + r.requests().get(0).body(),
                r.requests().get(0).body().contains("Stick \\u003cb\\u003eS0\\u003c/b\\u003e"));
        await(5000, () -> w.status().cursor() == 50, "cursor at 50");
        assertEquals("50", Files.readString(dir.resolve("test.cursor")).trim());
        assertEquals(0, w.status().pending());
    }

    @Test
    public void transientFailuresAreRetriedWithBackOffSameIdFreshSignatureUntilDelivered() throws Exception {
        Receiver r = receiver();
        AtomicInteger calls = new AtomicInteger();
        r.answer(() -> calls.incrementAndGet() <= 4 ? 503 : 200);
        ListHistory history = new ListHistory(1000);
        Path dir = tmp.newFolder().toPath();
        EndpointWorker w = worker(settings(r.url(), null, 2, 100, 1000), history, dir, log(dir));
        history.add(UsbAction.ATTACH, 0x046d, "A");
        await(10_000, () -> w.status().delivered() == 1, "the delivery after 4 failures");
        List<Receiver.Request> all = r.requests();
        assertEquals("4 failures (more than maxAttempts=2: 503 is transient) then success", 5, all.size());
        assertTrue(all.stream().allMatch(q -> q.id().equals("ev-1") && q.signatureValid()));
        long gap1 = all.get(1).atNanos() - all.get(0).atNanos();
        long gap4 = all.get(4).atNanos() - all.get(3).atNanos();
        assertTrue("back-off grows: first gap " + gap1 / 1_000_000 + " ms, fourth " + gap4 / 1_000_000 + " ms",
                gap4 > gap1 && gap1 >= 10_000_000L);
        assertEquals(4, w.status().retried());
        assertEquals(1, w.status().delivered());
    }

    @Test
    public void aRefusedEventIsDeadLetteredAfterMaxAttemptsAndTheNextOneGoesOn() throws Exception {
        Receiver r = receiver();
        r.answer(() -> 200);
        ListHistory history = new ListHistory(1000);
        Path dir = tmp.newFolder().toPath();
        DeliveryLog log = log(dir);
        r.answer(() -> r.requests().size() < 3 ? 400 : 200);
        EndpointWorker w = worker(settings(r.url(), null, 3, 100, 1000), history, dir, log);
        history.add(UsbAction.ATTACH, 0x046d, "bad");
        history.add(UsbAction.ATTACH, 0x046d, "good");
        await(10_000, () -> w.status().delivered() == 1, "the second event");
        assertEquals(List.of("ev-1", "ev-1", "ev-1", "ev-2"), r.requests().stream().map(Receiver.Request::id).toList());
        assertEquals(1, w.status().deadLettered());
        List<DeliveryLog.Entry> entries = log.recent("test", 10);
        assertEquals(List.of("retry", "retry", "dead-letter", "delivered"),
                entries.stream().map(DeliveryLog.Entry::outcome).toList());
        String onDisk = Files.readString(dir.resolve("deliveries.jsonl"));
        assertTrue(onDisk, onDisk.contains("\"outcome\":\"dead-letter\"") && onDisk.contains("\"status\":400"));
    }

    @Test
    public void anUnreachableEndpointOpensTheBreakerAndGetsEverythingWhenBack() throws Exception {
        Receiver r = receiver();
        r.stop();
        ListHistory history = new ListHistory(1000);
        Path dir = tmp.newFolder().toPath();
        EndpointWorker w = worker(settings(r.url(), null, 3, 3, 300), history, dir, log(dir));
        for (int i = 0; i < 5; i++) {
            history.add(UsbAction.ATTACH, 0x046d, "S" + i);
        }
        await(10_000, () -> w.status().breaker() == CircuitBreaker.State.OPEN, "the breaker to open");
        assertTrue(w.status().lastError(), w.status().lastError().contains("ConnectException"));
        assertEquals(5, w.status().pending());
        r.start();
        await(15_000, () -> r.accepted().size() == 5, "all five after the endpoint came back");
        assertEquals(List.of("ev-1", "ev-2", "ev-3", "ev-4", "ev-5"),
                r.accepted().stream().map(Receiver.Request::id).toList());
        assertEquals(CircuitBreaker.State.CLOSED, w.status().breaker());
    }

    @Test
    public void aRestartedWorkerResumesAtItsCursorAndAnnouncesWhatTheHistoryLost() throws Exception {
        Receiver r = receiver();
        ListHistory history = new ListHistory(5);
        Path dir = tmp.newFolder().toPath();
        DeliveryLog log = log(dir);
        EndpointWorker first = worker(settings(r.url(), null, 3, 5, 1000), history, dir, log);
        history.add(UsbAction.ATTACH, 0x046d, "S1");
        history.add(UsbAction.DETACH, 0x046d, "S1");
        await(10_000, () -> first.status().cursor() == 2, "two delivered");
        first.stop(5000);
        for (int i = 0; i < 8; i++) { // 3..10; the history keeps only 6..10
            history.add(UsbAction.ATTACH, 0x046d, "T" + i);
        }
        worker(settings(r.url(), null, 3, 5, 1000), history, dir, log);
        await(10_000, () -> r.accepted().size() == 2 + 1 + 5, "the notice and the five kept events");
        List<String> ids = r.accepted().stream().map(Receiver.Request::id).toList();
        assertEquals(List.of("ev-1", "ev-2", "missed-2-6", "ev-6", "ev-7", "ev-8", "ev-9", "ev-10"), ids);
        String notice = r.accepted().get(2).body();
        assertTrue(notice, notice.contains("\"type\":\"autoweave.events.missed\"")
                && notice.contains("\"data\":{\"after\":2,\"before\":6,\"count\":3}"));
    }

    @Test
    public void theFilterSelectsEventsAndTheCursorStillPassesTheOthers() throws Exception {
        Receiver r = receiver();
        ListHistory history = new ListHistory(100);
        Path dir = tmp.newFolder().toPath();
        EndpointWorker w = worker(settings(r.url(), "(&(action=attach)(vendor_id=046d))", 3, 5, 1000), history,
                dir, log(dir));
        history.add(UsbAction.ATTACH, 0x046d, "yes");
        history.add(UsbAction.DETACH, 0x046d, "no-detach");
        history.add(UsbAction.ATTACH, 0x1234, "no-vendor");
        history.add(UsbAction.ATTACH, 0x046d, "yes2");
        history.add(UsbAction.DETACH, 0x1234, "no-tail");
        await(10_000, () -> w.status().cursor() == 5, "the cursor past all five");
        await(5000, () -> {
            try {
                return Files.readString(dir.resolve("test.cursor")).trim().equals("5");
            } catch (IOException e) {
                return false;
            }
        }, "a trailing filtered event saved in the cursor file too");
        assertEquals(List.of("ev-1", "ev-4"), r.accepted().stream().map(Receiver.Request::id).toList());
        assertFalse(r.requests().stream().anyMatch(q -> q.id().equals("ev-2")));
        assertNotEquals(0, w.status().delivered());
    }
}
