package io.autoweave.redis.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.stream.StreamConsumer;

/**
 * DS wiring of the {@link ConsumerBridge}: this runtime instance's member of the consumer group, dispatching each
 * entry to every {@link StreamConsumer} service. Shares the PID (and the Redis settings) of the sink. Idle when no
 * Redis is configured, and reads nothing while no consumer is registered (entries stay in the group for others).
 */
@Component(service = ConsumerBridgeComponent.class, configurationPid = RedisSinkComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class ConsumerBridgeComponent {
    /** Framework property naming this runtime instance; the default consumer name. */
    static final String INSTANCE_ID_PROPERTY = "autoweave.instance.id";

    private final List<StreamConsumer> consumers = new CopyOnWriteArrayList<>();
    private RedisConnection connection;
    private ConsumerBridge bridge;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addConsumer(StreamConsumer consumer) {
        consumers.add(consumer);
    }

    void removeConsumer(StreamConsumer consumer) {
        consumers.remove(consumer);
    }

    @Activate
    void activate(BundleContext context, RedisSinkConfig config) throws IOException {
        BridgeSettings settings = settings(config, instanceId(context));
        connection = RedisSinkComponent.connection(config);
        if (connection != null) {
            bridge = new ConsumerBridge(connection, settings, this::dispatch, () -> !consumers.isEmpty()).start();
        }
    }

    static BridgeSettings settings(RedisSinkConfig config, String instanceId) {
        String name = config.consumerName().isBlank() ? instanceId : config.consumerName().trim();
        String dead = config.deadLetterStream().isBlank() ? config.stream() + ":dead" : config.deadLetterStream();
        return new BridgeSettings(config.stream(), config.consumerGroup(), name, config.consumerBatchSize(),
                config.consumerBlockMillis(), config.claimIdleMillis(), config.maxDeliveries(), dead);
    }

    void dispatch(String entryId, Map<String, String> fields) throws Exception {
        UsbEvent event = StreamEntries.toEvent(fields);
        for (StreamConsumer consumer : consumers) {
            consumer.consume(entryId, event);
        }
    }

    /**
     * The framework property {@value #INSTANCE_ID_PROPERTY} if set, else host name plus an id kept in the bundle's
     * data area: stable across restarts, so a restarted instance finds its own pending entries under its name.
     */
    static String instanceId(BundleContext context) throws IOException {
        String configured = context.getProperty(INSTANCE_ID_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        Path file = context.getDataFile("instance-id").toPath();
        if (!Files.exists(file)) {
            Files.writeString(file, UUID.randomUUID().toString().substring(0, 8), StandardCharsets.UTF_8);
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "host";
        }
        return host + "-" + Files.readString(file, StandardCharsets.UTF_8).trim();
    }

    /** Counters of the bridge, or null when no Redis is configured. */
    public BridgeStats stats() {
        return bridge == null ? null : bridge.stats();
    }

    @Deactivate
    void deactivate() {
        if (bridge != null) {
            bridge.close();
        }
        if (connection != null) {
            connection.close();
        }
    }
}
