package io.autoweave.redis.internal;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.api.device.DeviceRegistry;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;
import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.api.stream.StreamConsumer;

/**
 * DS wiring of the {@link ConsumerBridge}: this runtime instance's member of the consumer group, dispatching each
 * entry to every {@link StreamConsumer} service. Shares the PID (and the Redis settings) of the sink. Idle when no
 * Redis is configured, and reads nothing while no consumer is registered (entries stay in the group for others).
 *
 * <p>Its consumer name defaults to the instance id the USB pipeline stamps on every event
 * ({@link DeviceRegistry#instanceId()}), so an instance has one name in events and in the group. Loss markers
 * ({@code type=shed} entries) are not events: they are counted, logged and acknowledged, never dispatched and
 * never dead-lettered.
 */
@Component(service = {ConsumerBridgeComponent.class, MetricsSource.class}, configurationPid = RedisSinkComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class ConsumerBridgeComponent implements MetricsSource {
    private static final System.Logger LOG = System.getLogger(ConsumerBridgeComponent.class.getName());

    private final List<StreamConsumer> consumers = new CopyOnWriteArrayList<>();
    final LongAdder lossMarkers = new LongAdder();
    final LongAdder shedEvents = new LongAdder();

    /** The pipeline: owner of this instance's id. */
    @Reference
    DeviceRegistry registry;

    /** No status service of its own: the sink reports io.autoweave.redis, refusing the same values (one check). */
    private final LastGoodConfig<RedisSinkConfig, RedisSinkConfig> lastGood = new LastGoodConfig<>(
            RedisSinkComponent.PID, RedisSinkConfig.class, RedisConfigCheck::check);
    private volatile RedisConnection connection;
    private volatile ConsumerBridge bridge;
    private final LastGoodConfig.Runner<RedisSinkConfig> runner = LastGoodConfig.Runner.of(this::start, this::stop);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addConsumer(StreamConsumer consumer) {
        consumers.add(consumer);
    }

    void removeConsumer(StreamConsumer consumer) {
        consumers.remove(consumer);
    }

    @Activate
    synchronized void activate(RedisSinkConfig config, Map<String, Object> properties) {
        lastGood.run(null, config, properties, runner);
    }

    /** Applied in place (the bridge restarts on the new settings); a refused change keeps the bridge reading. */
    @Modified
    synchronized void modified(RedisSinkConfig config, Map<String, Object> properties) {
        lastGood.restart(config, properties, runner);
    }

    private void start(RedisSinkConfig config) {
        BridgeSettings settings = settings(config, registry.instanceId());
        connection = RedisSinkComponent.connection(config);
        if (connection != null) {
            bridge = new ConsumerBridge(connection, settings, this::dispatch, () -> !consumers.isEmpty()).start();
        }
    }

    static BridgeSettings settings(RedisSinkConfig config, String instanceId) {
        String name = config.consumer_name().isBlank() ? instanceId : config.consumer_name().trim();
        String dead = config.dead_letter_stream().isBlank() ? config.stream() + ":dead" : config.dead_letter_stream();
        return new BridgeSettings(config.stream(), config.consumer_group(), name, config.consumer_batch_size(),
                config.consumer_block_ms(), config.claim_idle_ms(), config.max_deliveries(), dead);
    }

    void dispatch(String entryId, Map<String, String> fields) throws Exception {
        if (StreamEntries.isLossMarker(fields)) {
            UsbEventSink.Loss loss = StreamEntries.toLoss(fields);
            lossMarkers.increment();
            shedEvents.add(loss.shed());
            LOG.log(Level.WARNING, "stream entry {0}: instance {1} shed {2} event(s) ({3} .. {4}) before they reached "
                    + "the stream", entryId, loss.instanceId(), loss.shed(), loss.firstEventId(), loss.lastEventId());
            return;
        }
        if (StreamEntries.isUpdate(fields)) {
            return; // later sources of an event consumers already had: StreamConsumer takes events only
        }
        UsbEvent event = StreamEntries.toEvent(fields);
        for (StreamConsumer consumer : consumers) {
            consumer.consume(entryId, event);
        }
    }

    /** Counters of the bridge, or null when no Redis is configured. */
    public BridgeStats stats() {
        return bridge == null ? null : bridge.stats();
    }

    @Override
    public void collect(MetricsCollector out) {
        BridgeStats b = stats();
        out.gauge("autoweave_redis_bridge_running", "1 while the consumer-group bridge reads (0: idle, stopped or "
                + "no Redis)", b != null && "RUNNING".equals(b.state()) ? 1 : 0);
        if (b != null) {
            out.counter("autoweave_redis_bridge_processed_total", "Stream entries every consumer accepted", b.processed());
            out.counter("autoweave_redis_bridge_failed_total", "Dispatches a consumer refused (left pending)", b.failed());
            out.counter("autoweave_redis_bridge_claimed_total", "Entries claimed from idle pending lists", b.claimed());
            out.counter("autoweave_redis_bridge_dead_lettered_total", "Entries moved to the dead-letter stream",
                    b.deadLettered());
        }
        out.counter("autoweave_redis_bridge_loss_markers_total", "Loss markers (type=shed entries) the bridge read",
                lossMarkers.sum());
        out.counter("autoweave_redis_bridge_shed_events_total", "Events those loss markers say were shed",
                shedEvents.sum());
    }

    @Deactivate
    synchronized void deactivate() {
        lastGood.stop(runner);
    }

    private void stop() {
        ConsumerBridge b = bridge;
        bridge = null;
        if (b != null) {
            b.close();
        }
        RedisConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }
}
