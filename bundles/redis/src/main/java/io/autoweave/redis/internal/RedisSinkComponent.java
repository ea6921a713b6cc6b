package io.autoweave.redis.internal;

import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.api.device.DeviceRegistry;
import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogCursor;
import org.osgi.service.component.annotations.Reference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import io.autoweave.commons.retry.CircuitBreaker;

/**
 * Thin DS wiring of the {@link StreamPublisher}: a durable reader of the event log (cursor
 * {@value StreamPublisher#CURSOR}) that publishes every record to the Redis stream. Active by default: with no endpoints
 * configured nothing is published (the embedded default, health says so) but the cursor exists from the first start,
 * so once endpoints are configured DS re-activates the component and everything the log holds after the cursor flows
 * to Redis, oldest first.
 */
@Component(service = {MetricsSource.class, RedisSinkComponent.class},
        configurationPid = RedisSinkComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = RedisSinkConfig.class)
public final class RedisSinkComponent implements MetricsSource {
    static final String PID = "io.autoweave.redis";
    static final String SINK_NAME = "redis";
    static final String NOT_CONFIGURED = "no Redis configured (endpoints empty): events stay in the local event log";
    private static final System.Logger LOG = System.getLogger(RedisSinkComponent.class.getName());

    @Reference
    EventLog log;
    @Reference
    DeviceRegistry registry;

    private final LastGoodConfig<RedisSinkConfig, RedisSinkConfig> lastGood = new LastGoodConfig<>(PID,
            RedisSinkConfig.class, RedisConfigCheck::check);
    private volatile LogCursor cursor;
    private volatile StreamClient client;
    private volatile StreamPublisher publisher;
    private final LastGoodConfig.Runner<RedisSinkConfig> runner = LastGoodConfig.Runner.of(this::start, this::stop);

    /** {@code context} null: no configuration status service (unit tests). */
    @Activate
    synchronized void activate(BundleContext context, RedisSinkConfig config, Map<String, Object> properties) {
        lastGood.run(context, config, properties, runner);
    }

    /**
     * Applied in place: the publisher restarts on the new settings from the cursor (nothing is lost or sent twice);
     * a refused change keeps the running publisher, so events keep reaching Redis.
     */
    @Modified
    synchronized void modified(RedisSinkConfig config, Map<String, Object> properties) {
        lastGood.restart(config, properties, runner);
    }

    private void start(RedisSinkConfig config) {
        PublisherSettings settings = new PublisherSettings(config.stream(), config.max_len(), config.batch_max(),
                config.backoff_base_ms(), config.backoff_max_ms(), config.breaker_failures(),
                config.breaker_open_ms());
        RedisConnection connection = connection(config); // validates the endpoints before anything is opened
        if (cursor == null) {
            cursor = log.cursor(StreamPublisher.CURSOR); // from the first start, configured or not
        }
        if (connection == null) {
            LOG.log(System.Logger.Level.INFO, NOT_CONFIGURED);
            return;
        }
        client = new JedisStreamClient(connection);
        publisher = new StreamPublisher(log, cursor, client, settings, registry.instanceId()).start();
    }

    /** The configured Redis, not yet contacted; null when no endpoints are configured. */
    static RedisConnection connection(RedisSinkConfig config) {
        String[] configured = config.endpoints();
        if (configured == null || configured.length == 0
                || (configured.length == 1 && configured[0].isBlank())) {
            return null;
        }
        Set<HostAndPort> endpoints = parseEndpoints(configured);
        JedisClientConfig clientConfig = JedisStreamClient.config(config.timeout_ms(), config.user(),
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

    @Override
    public void collect(MetricsCollector out) {
        PublisherHealth h = health();
        out.gauge("autoweave_redis_behind", "Event log records not yet in Redis", h.behind());
        out.gauge("autoweave_redis_cursor", "Seq of the last event log record Redis acknowledged", h.cursor());
        out.gauge("autoweave_redis_up", "1 when the last attempt to reach Redis succeeded", h.connected() ? 1 : 0);
        out.gauge("autoweave_redis_configured", "1 when Redis endpoints are configured (0: the log only)",
                publisher != null ? 1 : 0);
        for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
            out.gauge("autoweave_redis_circuit_state", "Circuit breaker of the Redis publisher: 1 for the current state",
                    h.breaker() == state ? 1 : 0, "state", state.name().toLowerCase(java.util.Locale.ROOT));
        }
        out.counter("autoweave_redis_published_total", "Events acknowledged by Redis (redeliveries counted again)",
                h.delivered());
        out.counter("autoweave_redis_loss_markers_published_total", "Loss markers (type=shed entries) acknowledged by Redis",
                h.lossMarkers());
        out.counter("autoweave_redis_duplicates_skipped_total",
                "Records a retried round found in Redis already (added once only)", h.duplicatesSkipped());
        out.counter("autoweave_redis_round_trips_total", "Successful publishing round trips", h.roundTrips());
        out.counter("autoweave_redis_batched_round_trips_total", "Round trips that carried more than one entry",
                h.batchedRoundTrips());
        out.counter("autoweave_redis_publish_failures_total", "Failed publishing attempts (retried)", h.failures());
    }

    /** Connection state, last error and how far behind the log Redis is, for the operator surfaces. */
    public PublisherHealth health() {
        return publisher != null ? publisher.health()
                : PublisherHealth.logOnly(Math.max(0, log.lastSeq() - cursor.position()), cursor.position(),
                        NOT_CONFIGURED);
    }

    @Deactivate
    synchronized void deactivate() {
        lastGood.stop(runner);
    }

    private void stop() {
        StreamPublisher p = publisher;
        if (p != null) {
            p.close();
            client.close();
        }
        publisher = null;
        client = null;
    }
}
