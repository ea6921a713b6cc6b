package io.autoweave.api.device;

import java.util.List;
import java.util.Objects;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service for <b>core sinks</b> that must not lose events (the Redis stream, a webhook, an archive):
 * register it and receive every allowed USB event in batches, with a visible {@link Loss} wherever the pipeline had
 * to drop events because the sink fell behind. Plugins use {@link UsbEventListener}; a sink is for bundles that make
 * events durable somewhere else.
 *
 * <h2>Delivery guarantees</h2>
 * <ul>
 * <li><b>Own queue and thread.</b> Each sink name ({@link #NAME}) gets a bounded queue and one worker thread in the
 * pipeline. {@link #deliver} is called from that thread only, never concurrently for one sink, never on a detection
 * thread. A slow sink delays only itself.</li>
 * <li><b>Order.</b> Events arrive in the order the pipeline emitted them; batches never overlap or reorder.</li>
 * <li><b>Batches.</b> When the sink keeps up, each batch holds the one event that is waiting (lowest latency); when
 * events queue up while a batch is being delivered, the next batch takes all of them, up to the configured batch
 * size. A sink should make a whole batch durable at once (one fsync, one round trip).</li>
 * <li><b>Acknowledgement = durability.</b> {@code deliver} must return only once every event of the batch (and its
 * loss marker) is durable for that sink: an event for which {@code deliver} returned is never lost, even if the
 * process is killed the next instant. Until then the events live only in the pipeline's memory: a process kill
 * loses what is queued or in an unfinished batch, a clean stop delivers the queue first (bounded by a grace time).
 * </li>
 * <li><b>Failure.</b> If {@code deliver} throws, the same batch is delivered again (exponential back-off) until it
 * succeeds or the pipeline stops; nothing newer is delivered before it, so order holds and a sink may see a batch
 * twice (de-duplicate by {@link UsbEvent#eventId()} and {@link Loss#markerId()}).</li>
 * <li><b>No silent loss.</b> The queue is bounded. When it is full, an attach and a detach of one device the sink has
 * not read yet are first <em>coalesced</em> into the later event (whose {@link UsbEvent#flapCount()} grows); if
 * nothing can be coalesced the oldest queued event is <em>shed</em>. Shed events are replaced, at their place in the
 * order, by a {@link Loss} that the next batch carries: the sink writes it where its readers see it. For every sink:
 * events offered = events delivered + events shed + events coalesced (see the pipeline's metrics).</li>
 * <li><b>Restarts.</b> The queue belongs to the sink <em>name</em>: while a sink is unregistered (for example re-activated
 * after a configuration change) its queue keeps filling, under the same bound and rules, and a sink registering
 * again under that name receives it.</li>
 * </ul>
 */
@ConsumerType
public interface UsbEventSink {

    /**
     * Service property naming the sink (its queue, thread and metrics label), e.g. {@code redis}. Optional: the
     * default is the service's {@code component.name}, else its {@code service.pid}, else {@code service.id}.
     */
    String NAME = "autoweave.sink.name";

    /**
     * Makes {@code batch} durable and returns; throws to have the same batch delivered again later.
     *
     * @param batch events in pipeline order, preceded by the loss marker when events were shed before them
     * @throws Exception when the batch is not durable (nothing in it counts as delivered)
     */
    void deliver(Batch batch) throws Exception;

    /**
     * What the pipeline hands a sink in one call.
     *
     * @param loss events shed right before {@code events} (they would have come first), or null when none
     * @param events the events, in order; may be empty when the batch carries only a loss marker
     */
    record Batch(Loss loss, List<UsbEvent> events) {
        public Batch {
            events = List.copyOf(Objects.requireNonNull(events, "events"));
            if (loss == null && events.isEmpty()) {
                throw new IllegalArgumentException("a batch holds events, a loss marker, or both");
            }
        }

        /** Events plus loss marker: how many items the sink writes. */
        public int size() {
            return events.size() + (loss == null ? 0 : 1);
        }
    }

    /**
     * Events that were dropped for this sink at one point of the stream because it fell behind, so that readers see
     * the gap and its size instead of a silent hole.
     *
     * @param markerId unique id of this marker (idempotency, like {@link UsbEvent#eventId()})
     * @param instanceId the runtime instance whose pipeline shed the events
     * @param shed how many consecutive events were dropped here (at least 1)
     * @param coalesced events coalesced into a later event of the same device since the previous marker (their
     *        information is in that event's {@link UsbEvent#flapCount()}; informational)
     * @param firstEventId id of the first dropped event
     * @param lastEventId id of the last dropped event
     * @param firstTimestampMillis time of the first dropped event, epoch milliseconds
     * @param lastTimestampMillis time of the last dropped event, epoch milliseconds
     */
    record Loss(String markerId, String instanceId, long shed, long coalesced, String firstEventId, String lastEventId,
            long firstTimestampMillis, long lastTimestampMillis) {
        public Loss {
            Objects.requireNonNull(markerId, "markerId");
            Objects.requireNonNull(firstEventId, "firstEventId");
            Objects.requireNonNull(lastEventId, "lastEventId");
            if (shed < 1) {
                throw new IllegalArgumentException("a loss marker stands for at least one shed event: " + shed);
            }
            if (coalesced < 0) {
                throw new IllegalArgumentException("coalesced must be >= 0: " + coalesced);
            }
        }
    }
}
