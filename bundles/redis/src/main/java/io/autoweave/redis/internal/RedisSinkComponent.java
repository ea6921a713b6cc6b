package io.autoweave.redis.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

/**
 * Thin DS wiring: a {@link UsbEventListener} that journals each event to the {@link Outbox} (returning once it is
 * on disk) while a {@link StreamPublisher} drains the outbox to Redis. Active by default: with no endpoints
 * configured it only journals (the embedded default, health says so); once endpoints are configured DS
 * re-activates it and the journal backlog flows to Redis.
 */
@Component(service = {UsbEventListener.class, RedisSinkComponent.class}, configurationPid = RedisSinkComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = RedisSinkConfig.class)
public final class RedisSinkComponent implements UsbEventListener {
    static final String PID = "io.autoweave.redis";
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

    @Override
    public void onEvent(UsbEvent event) {
        try {
            outbox.append(UsbEventCodec.encode(event));
        } catch (OutboxFullException e) {
            // The outbox raised its alarm and counts rejections; one line per event would flood the log.
            LOG.log(System.Logger.Level.DEBUG, "event {0} dropped: {1}", event.eventId(), e.getMessage());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "event " + event.eventId() + " not journaled", e);
        }
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
