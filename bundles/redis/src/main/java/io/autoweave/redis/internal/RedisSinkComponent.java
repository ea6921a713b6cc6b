package io.autoweave.redis.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;
import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import io.autoweave.commons.retry.CircuitBreaker;

/**
 * Thin DS wiring: a {@link UsbEventSink} (name {@value #SINK_NAME}) that journals each batch the pipeline hands it
 * to the {@link Outbox} with one group commit (returning once it is on disk, so an acknowledged event survives a
 * kill -9) while a {@link StreamPublisher} drains the outbox to Redis. A loss marker of the batch is journaled in
 * its place and becomes a {@code type=shed} stream entry. Active by default: with no endpoints configured it only
 * journals (the embedded default, health says so); once endpoints are configured DS re-activates it and the journal
 * backlog flows to Redis (the pipeline keeps this sink's queue across the re-activation).
 */
@Component(service = {UsbEventSink.class, MetricsSource.class, RedisSinkComponent.class},
        configurationPid = RedisSinkComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        property = UsbEventSink.NAME + "=" + RedisSinkComponent.SINK_NAME)
@Designate(ocd = RedisSinkConfig.class)
public final class RedisSinkComponent implements UsbEventSink, MetricsSource {
    static final String PID = "io.autoweave.redis";
    static final String SINK_NAME = "redis";
    static final String NOT_CONFIGURED = "no Redis configured (endpoints empty): events are journaled locally only";
    private static final System.Logger LOG = System.getLogger(RedisSinkComponent.class.getName());

    private Outbox outbox;
    private StreamClient client;
    private StreamPublisher publisher;

    @Activate
    void activate(BundleContext context, RedisSinkConfig config) throws IOException {
        PublisherSettings settings = new PublisherSettings(config.stream(), config.maxLen(), config.batchMax(),
                config.backoffBaseMillis(), config.backoffMaxMillis(), config.breakerFailures(),
                config.breakerOpenMillis());
        RedisConnection connection = connection(config); // validates the endpoints before anything is opened
        Path dir = config.outboxDir().isBlank() ? context.getDataFile("outbox").toPath() : Path.of(config.outboxDir());
        outbox = new Outbox(dir, config.segmentBytes(), config.outboxMaxBytes());
        if (connection == null) {
            LOG.log(System.Logger.Level.INFO, NOT_CONFIGURED);
            return;
        }
        client = new JedisStreamClient(connection);
        publisher = new StreamPublisher(outbox, client, settings).start();
    }

    /** The configured Redis, not yet contacted; null when no endpoints are configured. */
    static RedisConnection connection(RedisSinkConfig config) {
        String[] configured = config.endpoints();
        if (configured == null || configured.length == 0
                || (configured.length == 1 && configured[0].isBlank())) {
            return null;
        }
        Set<HostAndPort> endpoints = parseEndpoints(configured);
        JedisClientConfig clientConfig = JedisStreamClient.config(config.timeoutMillis(), config.user(),
                config.password());
        return config.cluster() || endpoints.size() > 1
                ? RedisConnection.cluster(endpoints, clientConfig)
                : RedisConnection.single(endpoints.iterator().next(), clientConfig);
    }

    static Set<HostAndPort> parseEndpoints(String[] endpoints) {
        Set<HostAndPort> parsed = new LinkedHashSet<>();
        for (String endpoint : endpoints == null ? new String[0] : endpoints) {
            int colon = endpoint.lastIndexOf(':');
            try {
                parsed.add(new HostAndPort(endpoint.substring(0, colon).trim(),
                        Integer.parseInt(endpoint.substring(colon + 1).trim())));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("endpoint '" + endpoint + "' is not host:port, e.g. 127.0.0.1:6379");
            }
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("endpoints is empty: give at least one host:port");
        }
        return parsed;
    }

    /**
     * Journals the batch (loss marker first, then the events) with one fsync and returns once it is on disk. Throws
     * when it is not: the outbox is full ({@link OutboxFullException}: the pipeline retries the batch while its queue
     * sheds visibly), closed, or failed.
     */
    @Override
    public void deliver(Batch batch) throws IOException {
        List<byte[]> records = new ArrayList<>(batch.size());
        if (batch.loss() != null) {
            records.add(UsbEventCodec.encode(batch.loss()));
        }
        for (UsbEvent event : batch.events()) {
            records.add(UsbEventCodec.encode(event));
        }
        outbox.appendAll(records);
    }

    @Override
    public void collect(MetricsCollector out) {
        PublisherHealth h = health();
        OutboxStats o = h.outbox();
        out.gauge("autoweave_redis_outbox_depth", "Events journaled in the outbox, not yet acknowledged by Redis",
                o.depth());
        out.gauge("autoweave_redis_outbox_oldest_undelivered_age_seconds",
                "Age of the oldest event in the outbox not yet acknowledged by Redis", o.oldestUnackedAgeMillis() / 1000.0);
        out.gauge("autoweave_redis_outbox_used_bytes", "Bytes the outbox journal holds", o.usedBytes());
        out.gauge("autoweave_redis_outbox_max_bytes", "Size bound of the outbox journal", o.maxBytes());
        out.gauge("autoweave_redis_outbox_full", "1 while the outbox refuses appends for lack of space",
                o.fullAlarm() ? 1 : 0);
        out.counter("autoweave_redis_outbox_rejected_total", "Records refused because the outbox was full",
                o.rejectedAppends());
        out.counter("autoweave_redis_outbox_appended_total", "Records made durable in the outbox", o.appendedRecords());
        out.counter("autoweave_redis_outbox_fsyncs_total", "Outbox group commits (one fsync each)", o.fsyncs());
        out.gauge("autoweave_redis_up", "1 when the last attempt to reach Redis succeeded", h.connected() ? 1 : 0);
        out.gauge("autoweave_redis_configured", "1 when Redis endpoints are configured (0: journal only)",
                publisher != null ? 1 : 0);
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            out.gauge("autoweave_redis_circuit_state", "Circuit breaker of the Redis publisher: 1 for the current state",
                    h.breaker() == state ? 1 : 0, "state", state.name().toLowerCase(java.util.Locale.ROOT));
        }
        out.counter("autoweave_redis_published_total", "Events acknowledged by Redis (redeliveries counted again)",
                h.delivered());
        out.counter("autoweave_redis_loss_markers_published_total", "Loss markers (type=shed entries) acknowledged by Redis",
                h.lossMarkers());
        out.counter("autoweave_redis_round_trips_total", "Successful publishing round trips", h.roundTrips());
        out.counter("autoweave_redis_batched_round_trips_total", "Round trips that carried more than one entry",
                h.batchedRoundTrips());
        out.counter("autoweave_redis_publish_failures_total", "Failed publishing attempts (retried)", h.failures());
    }

    /** Connection state, last error, outbox depth and oldest undelivered age, for the operator surfaces. */
    public PublisherHealth health() {
        return publisher != null ? publisher.health() : PublisherHealth.journalOnly(outbox.stats(), NOT_CONFIGURED);
    }

    @Deactivate
    void deactivate() throws IOException {
        if (publisher != null) {
            publisher.close();
            client.close();
        }
        outbox.close();
    }
}
