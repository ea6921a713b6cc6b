package io.autoweave.usb.pipeline.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Typed configuration of the event history ({@link EventHistoryStore}): the single home of its defaults. */
@ObjectClassDefinition(name = "AutoWeave event history",
        description = "How many recent events are kept in memory for resuming readers (SSE Last-Event-ID, device pages)")
@interface HistoryConfiguration {

    @AttributeDefinition(name = "Capacity", min = "1", max = "1000000",
            description = "Events kept, the newest ones; a reader resuming from an older sequence is told what it missed")
    int capacity() default 10_000;
}
