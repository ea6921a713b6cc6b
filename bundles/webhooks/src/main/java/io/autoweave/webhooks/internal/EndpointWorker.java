package io.autoweave.webhooks.internal;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogRecord;
import io.autoweave.api.device.HistoryEvent;
import io.autoweave.commons.event.EventJson;
import io.autoweave.commons.retry.Backoff;
import io.autoweave.commons.retry.CircuitBreaker;

/**
 * Delivers one subscription's events, in history order, one at a time, on its own thread.
 *
 * <p><b>Loop.</b> Read the records after the {@link Cursor} from the {@link EventLog}; if the history no longer
 * holds some of them (the endpoint was away longer than the history keeps), send one
 * {@link WebhookPayload#MISSED} notice first; skip events the filter rejects; POST each other one until it is
 * delivered, then save the cursor. Nothing is skipped silently, and a restart resumes at the cursor.
 *
 * <p><b>Retries.</b> A 2xx answer delivers. Network errors, time-outs, 408, 425, 429 and 5xx are transient: retried
 * with exponential back-off and jitter ({@link Backoff}; a {@code Retry-After} in seconds is honoured up to the
 * cap) until they succeed, so an endpoint that is down for an hour gets everything when it is back (within the
 * history's capacity). Any other answer (3xx: redirects are not followed; 4xx) means the receiver refuses the
 * event: it is retried up to {@code maxAttempts} attempts in all, then dead-lettered in the {@link DeliveryLog} and
 * passed. Each attempt has the same {@code webhook-id} and a fresh timestamp and signature.
 *
 * <p><b>Breaker.</b> After {@code breakerFailures} consecutive failed attempts the endpoint's {@link CircuitBreaker}
 * opens: no request for {@code breakerOpenMillis}, then one trial.
 */
final class EndpointWorker implements Runnable {

    /** A point-in-time view for commands and metrics. */
    record Status(String name, String url, String state, long cursor, long pending, long delivered, long retried,
            long deadLettered, long missed, CircuitBreaker.State breaker, Integer lastStatus, String lastError,
            String problem) {
    }

    private static final int BATCH = 64;

    private final WebhookSettings settings;
    private final EventLog history;
    private final Cursor cursor;
    private final DeliveryLog log;
    private final HttpClient client;
    private final Backoff backoff;
    private final CircuitBreaker breaker;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long position = -1;
    private volatile String state = "STARTING";
    private volatile Integer lastStatus;
    private volatile String lastError;
    private volatile String problem;
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong retried = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong missed = new AtomicLong();

    EndpointWorker(WebhookSettings settings, EventLog history, Cursor cursor, DeliveryLog log) {
        this.settings = settings;
        this.history = history;
        this.cursor = cursor;
        this.log = log;
        this.client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofMillis(settings.timeoutMillis())).build();
        this.backoff = new Backoff(settings.backoffBaseMillis(), settings.backoffMaxMillis());
        this.breaker = new CircuitBreaker(settings.breakerFailures(), settings.breakerOpenMillis());
        this.thread = new Thread(this, "autoweave-webhook-" + settings.name());
        thread.setDaemon(true);
    }

    EndpointWorker start() {
        thread.start();
        return this;
    }

    /** Stops the worker; an attempt in flight is abandoned (and repeated after a restart). */
    void stop(long waitMillis) throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(waitMillis);
    }

    Status status() {
        long pos = position;
        long pending = pos < 0 ? 0 : Math.max(0, history.lastSeq() - pos);
        return new Status(settings.name(), settings.url().toString(), state, pos, pending, delivered.get(),
                retried.get(), deadLettered.get(), missed.get(), breaker.state(), lastStatus, lastError, problem);
    }

    @Override
    public void run() {
        try {
            position = initialPosition();
            state = "RUNNING";
            while (running) {
                List<LogRecord> batch = history.read(position, BATCH);
                if (batch.isEmpty()) {
                    history.await(position, 1000);
                    continue;
                }
                long first = batch.get(0).seq();
                if (first > position + 1) {
                    WebhookPayload notice = WebhookPayload.missed(position, first, System.currentTimeMillis());
                    if (!deliver(notice, first - 1)) {
                        return;
                    }
                    missed.addAndGet(first - position - 1);
                    advance(first - 1);
                }
                boolean skipped = false;
                for (LogRecord h : batch) {
                    if (h.kind() == LogRecord.Kind.LOSS || settings.filter() == null
                            || settings.filter().matches(filterProperties(new HistoryEvent(h.seq(), h.event())))) {
                        if (!deliver(WebhookPayload.of(h), h.seq())) {
                            return;
                        }
                        advance(h.seq());
                        skipped = false;
                    } else {
                        // filtered out: no fsync per event; the cursor is saved once per batch (after a crash
                        // these are only filtered again)
                        position = h.seq();
                        skipped = true;
                    }
                }
                if (skipped) {
                    cursor.save(position);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            problem = e.getMessage();
            state = "FAILED";
            System.getLogger(EndpointWorker.class.getName()).log(System.Logger.Level.ERROR,
                    "webhook " + settings.name() + " stopped: " + e.getMessage(), e);
            return;
        } finally {
            if (!"FAILED".equals(state)) {
                state = "STOPPED";
            }
        }
    }

    private long initialPosition() throws IOException {
        OptionalLong saved = cursor.load();
        if (saved.isPresent()) {
            return saved.getAsLong();
        }
        long start = settings.startAtOldest() ? history.firstSeq() - 1 : history.lastSeq();
        cursor.save(start);
        return start;
    }

    private void advance(long sequence) throws IOException {
        cursor.save(sequence);
        position = sequence;
    }

    /** Delivers or dead-letters {@code payload}; false when stopped first. */
    private boolean deliver(WebhookPayload payload, long sequence) throws InterruptedException {
        int attempt = 0;
        int failures = 0;
        while (running) {
            long wait = breaker.millisUntilAllowed(System.currentTimeMillis());
            if (wait > 0) {
                state = "BREAKER_OPEN";
                TimeUnit.MILLISECONDS.sleep(wait);
                continue;
            }
            state = "RUNNING";
            attempt++;
            long started = System.nanoTime();
            Integer status = null;
            String error = null;
            long retryAfterMillis = -1;
            try {
                HttpResponse<Void> response = client.send(request(payload), HttpResponse.BodyHandlers.discarding());
                status = response.statusCode();
                retryAfterMillis = retryAfter(response);
            } catch (IOException e) {
                error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            lastStatus = status;
            lastError = error;
            if (status != null && status >= 200 && status < 300) {
                breaker.onSuccess();
                delivered.incrementAndGet();
                log.record(entry(payload, sequence, attempt, status, null, "delivered", millis));
                return true;
            }
            breaker.onFailure(System.currentTimeMillis());
            boolean transientFailure = status == null || status == 408 || status == 425 || status == 429
                    || status >= 500;
            if (!transientFailure && attempt >= settings.maxAttempts()) {
                deadLettered.incrementAndGet();
                log.record(entry(payload, sequence, attempt, status, error, "dead-letter", millis));
                return true;
            }
            retried.incrementAndGet();
            log.record(entry(payload, sequence, attempt, status, error, "retry", millis));
            long delay = backoff.delayMillis(failures++);
            if (retryAfterMillis >= 0) {
                delay = Math.max(delay, Math.min(retryAfterMillis, settings.backoffMaxMillis()));
            }
            TimeUnit.MILLISECONDS.sleep(delay);
        }
        return false;
    }

    private HttpRequest request(WebhookPayload payload) {
        long now = System.currentTimeMillis() / 1000;
        return HttpRequest.newBuilder(settings.url())
                .timeout(Duration.ofMillis(settings.timeoutMillis()))
                .header("Content-Type", "application/json")
                .header("User-Agent", "AutoWeave-Webhooks")
                .header("webhook-id", payload.id)
                .header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", settings.signer().sign(payload.id, now, payload.body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload.body))
                .build();
    }

    private static long retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").map(v -> {
            try {
                return Math.max(0, Long.parseLong(v.trim())) * 1000;
            } catch (NumberFormatException e) {
                return -1L; // an HTTP date: ignored, the back-off applies
            }
        }).orElse(-1L);
    }

    private DeliveryLog.Entry entry(WebhookPayload p, long sequence, int attempt, Integer status, String error,
            String outcome, long millis) {
        return new DeliveryLog.Entry(System.currentTimeMillis(), settings.name(), p.id, p.type, sequence, attempt,
                status, error, outcome, millis);
    }

    static Hashtable<String, Object> filterProperties(HistoryEvent h) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.putAll(EventJson.flat(h));
        return props;
    }
}
