package io.autoweave.http.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Typed configuration of {@code /api/v1/events}: the single home of its defaults. */
@ObjectClassDefinition(name = "AutoWeave event stream (SSE)",
        description = "Limits of GET /api/v1/events (Server-Sent Events)")
@interface EventsConfig {

    @AttributeDefinition(description = "Seconds without an event after which a comment line is sent, so proxies "
            + "keep the stream open", min = "1", max = "300")
    int heartbeat_seconds() default 15;

    @AttributeDefinition(description = "Event streams open at once; more answer 503 with Retry-After", min = "1")
    int max_streams() default 16;

    @AttributeDefinition(description = "Events a client may fall behind before it is sent 'event: disconnect' and "
            + "closed (keep it below the event history's capacity so it is cut before events it has not read are "
            + "dropped)", min = "1")
    long max_client_lag() default 5_000;
}
