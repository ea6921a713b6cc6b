package io.autoweave.redis.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo {@code aw:redis}: the sink's and the consumer bridge's state at a glance. */
@Component(service = RedisCommands.class, property = {"osgi.command.scope=aw", "osgi.command.function=redis"})
public final class RedisCommands {
    @Reference
    RedisSinkComponent sink;

    /** Optional: the bridge needs the USB pipeline (its instance id), and aw:redis must work without it. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ConsumerBridgeComponent bridge;

    @Descriptor("state of the Redis stream publisher (how far behind the event log) and of the consumer-group bridge")
    public String redis() {
        PublisherHealth h = sink.health();
        StringBuilder out = new StringBuilder()
                .append("publisher: ").append(h.state()).append(h.connected() ? " (connected)" : "")
                .append(", breaker ").append(h.breaker())
                .append("\nevent log: ").append(h.behind()).append(" record(s) not yet in Redis, cursor at seq ")
                .append(h.cursor())
                .append("\ndelivered: ").append(h.delivered()).append(" in ").append(h.roundTrips())
                .append(" round trips (").append(h.batchedRoundTrips()).append(" batched), ")
                .append(h.failures()).append(" failures, ").append(h.lossMarkers()).append(" loss marker(s), ")
                .append(h.duplicatesSkipped()).append(" duplicate(s) skipped");
        if (h.lastError() != null) {
            out.append("\nlast error: ").append(h.lastError());
        }
        ConsumerBridgeComponent component = bridge;
        BridgeStats b = component == null ? null : component.stats();
        out.append("\nconsumer bridge: ");
        if (component == null) {
            out.append("not running (it waits for the USB pipeline, which names this instance)");
        } else if (b == null) {
            out.append("off (no Redis configured)");
        } else {
            out.append(b.state()).append(", processed ").append(b.processed()).append(", failed ").append(b.failed())
                    .append(", claimed ").append(b.claimed()).append(", dead-lettered ").append(b.deadLettered());
            if (b.lastError() != null) {
                out.append("\n  last error: ").append(b.lastError());
            }
        }
        return out.toString();
    }
}
