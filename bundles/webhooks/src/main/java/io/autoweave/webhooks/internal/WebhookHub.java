package io.autoweave.webhooks.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import io.autoweave.commons.data.DataDirectory;
import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.commons.retry.CircuitBreaker;

/**
 * What all subscriptions share: their directory ({@code DATA/webhooks}), the {@link DeliveryLog}, the Gogo commands
 * and the metrics. Each {@link WebhookSubscription} registers itself here while it is active.
 */
@Component(service = { WebhookHub.class, MetricsSource.class }, immediate = true,
        property = { "osgi.command.scope=aw", "osgi.command.function=webhooks",
                "osgi.command.function=webhooklog", "osgi.command.function=webhooksecret" })
public final class WebhookHub implements MetricsSource {

    private final Path directory;
    private final DeliveryLog log;
    private final List<WebhookSubscription> subscriptions = new CopyOnWriteArrayList<>();

    @Activate
    public WebhookHub(BundleContext context) throws IOException {
        this(dataDir(context).resolve("webhooks"));
    }

    WebhookHub(Path directory) throws IOException {
        this.directory = directory;
        this.log = new DeliveryLog(directory.resolve("deliveries.jsonl"));
    }

    private static Path dataDir(BundleContext context) {
        return DataDirectory.find(context).orElseGet(() -> context.getDataFile("").toPath());
    }

    @Deactivate
    void deactivate() throws IOException {
        log.close();
    }

    Path directory() {
        return directory;
    }

    DeliveryLog log() {
        return log;
    }

    void add(WebhookSubscription s) {
        subscriptions.add(s);
    }

    void remove(WebhookSubscription s) {
        subscriptions.remove(s);
    }

    List<EndpointWorker.Status> statuses() {
        List<EndpointWorker.Status> all = new ArrayList<>();
        for (WebhookSubscription s : subscriptions) {
            all.add(s.status());
        }
        all.sort(Comparator.comparing(EndpointWorker.Status::name));
        return all;
    }

    @Descriptor("webhook subscriptions: endpoint, state, cursor, pending events, delivered, retries, dead letters, breaker")
    public String webhooks() {
        List<EndpointWorker.Status> all = statuses();
        if (all.isEmpty()) {
            return "no webhook subscriptions (add DATA/etc/" + WebhookSubscription.FACTORY_PID
                    + "-NAME.config with url and secret)";
        }
        StringBuilder b = new StringBuilder(String.format("%-16s %-13s %8s %7s %9s %7s %5s %6s %-9s %s%n", "NAME",
                "STATE", "CURSOR", "PENDING", "DELIVERED", "RETRIES", "DEAD", "MISSED", "BREAKER", "URL / LAST"));
        for (EndpointWorker.Status s : all) {
            String last = s.problem() != null ? "problem: " + s.problem()
                    : s.lastError() != null ? "last error: " + s.lastError()
                    : s.lastStatus() != null ? "last status " + s.lastStatus() : "";
            b.append(String.format("%-16s %-13s %8d %7d %9d %7d %5d %6d %-9s %s %s%n", s.name(), s.state(), s.cursor(),
                    s.pending(), s.delivered(), s.retried(), s.deadLettered(), s.missed(), s.breaker(), s.url(), last));
        }
        return b.toString();
    }

    @Descriptor("the newest webhook delivery attempts of all subscriptions")
    public String webhooklog() {
        return webhooklog(null, 20);
    }

    @Descriptor("the newest webhook delivery attempts of one subscription")
    public String webhooklog(@Descriptor("subscription name, or * for all") String name,
            @Descriptor("how many attempts, newest last") int count) {
        List<DeliveryLog.Entry> entries = log.recent(name == null || "*".equals(name) ? null : name, count);
        if (entries.isEmpty()) {
            return "no delivery attempts recorded" + (name == null || "*".equals(name) ? "" : " for " + name);
        }
        StringBuilder b = new StringBuilder();
        for (DeliveryLog.Entry e : entries) {
            b.append(String.format("%s %-12s %-11s seq=%d attempt=%d status=%s %s%s (%d ms) %s%n",
                    java.time.Instant.ofEpochMilli(e.timeMillis()), e.subscription(), e.outcome(), e.sequence(),
                    e.attempt(), e.status() == null ? "-" : e.status(), e.type(),
                    e.error() == null ? "" : " error=" + e.error(), e.millis(), e.webhookId()));
        }
        return b.toString();
    }

    @Descriptor("a new random webhook signing secret (whsec_ + base64 of 32 bytes) to put in a subscription and give the receiver")
    public String webhooksecret() {
        return WebhookSigner.newSecret();
    }

    @Override
    public void collect(MetricsCollector out) {
        for (EndpointWorker.Status s : statuses()) {
            String n = s.name();
            out.counter("autoweave_webhook_delivered_total", "Webhook events delivered (2xx)", s.delivered(),
                    "subscription", n);
            out.counter("autoweave_webhook_retries_total", "Webhook attempts that failed and were retried",
                    s.retried(), "subscription", n);
            out.counter("autoweave_webhook_dead_letters_total", "Webhook events the receiver refused to the end",
                    s.deadLettered(), "subscription", n);
            out.counter("autoweave_webhook_missed_total",
                    "Events no longer in the history when the endpoint came back (announced to it)", s.missed(),
                    "subscription", n);
            out.gauge("autoweave_webhook_pending", "History events after the subscription's cursor", s.pending(),
                    "subscription", n);
            out.gauge("autoweave_webhook_breaker_open", "1 while the endpoint's circuit breaker is open",
                    s.breaker() == CircuitBreaker.State.OPEN ? 1 : 0, "subscription", n);
            out.gauge("autoweave_webhook_up", "1 while the subscription runs (0: configuration error or failed)",
                    "RUNNING".equals(s.state()) || "BREAKER_OPEN".equals(s.state()) ? 1 : 0, "subscription", n);
        }
    }
}
