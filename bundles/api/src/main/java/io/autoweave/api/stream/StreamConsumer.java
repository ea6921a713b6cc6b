package io.autoweave.api.stream;

import org.osgi.annotation.versioning.ConsumerType;

import io.autoweave.api.device.UsbEvent;

/**
 * Whiteboard service: register it to process the events of the shared Redis stream as part of this runtime's
 * consumer group. With several runtime instances in one group, each entry goes to one instance only.
 *
 * <p>Delivery is <b>at least once</b>: the bridge acknowledges an entry after every registered consumer returned
 * normally. If any of them throws, the entry stays pending and is delivered again (to every consumer, possibly
 * on another instance) once it has been idle for the bridge's claim time; after the configured number of
 * deliveries it is moved to the dead-letter stream instead. Make processing idempotent by
 * {@link UsbEvent#eventId()}. Calls come from the bridge's single thread, one entry at a time, in stream order.
 */
@ConsumerType
public interface StreamConsumer {

    /**
     * Processes one stream entry.
     *
     * @param entryId the Redis stream entry id, e.g. {@code 1700000000000-0}
     * @param event the event decoded from the entry's fields
     * @throws Exception to refuse the entry: it is not acknowledged and will be delivered again
     */
    void consume(String entryId, UsbEvent event) throws Exception;
}
