package io.autoweave.webhooks.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.autoweave.commons.config.OldName;

/**
 * One webhook subscription (factory PID {@code io.autoweave.webhooks.subscription}; one configuration per endpoint,
 * e.g. {@code DATA/etc/io.autoweave.webhooks.subscription-orders.config}): the single home of its defaults. Checked
 * by {@link WebhookSettings}, which says what to fix. Keys are dotted ({@code timeout.ms}); the camel-case names of
 * earlier versions ({@code timeoutMillis}) are still read, with a warning ({@link OldName}).
 */
@ObjectClassDefinition(name = "AutoWeave webhook subscription",
        description = "POSTs USB events, signed per Standard Webhooks (HMAC-SHA256), to one endpoint; retried with "
                + "back-off, behind a circuit breaker, resumed after restarts from a durable cursor")
@interface WebhookConfiguration {

    @AttributeDefinition(name = "Name", required = false,
            description = "Short name in logs, metrics and commands; empty: the configuration's factory name")
    String name() default "";

    @AttributeDefinition(name = "URL", description = "http:// or https:// endpoint that receives the POSTs")
    String url();

    @AttributeDefinition(name = "Secret", type = AttributeType.PASSWORD,
            description = "whsec_ followed by base64 of 24 to 64 random bytes (aw:webhook-secret makes one)")
    String secret();

    @AttributeDefinition(name = "Filter", required = false,
            description = "LDAP filter over action, vendor_id, product_id, device_class, device_signature, "
                    + "serial_number, port_path, interface_classes, sources; empty: every event. "
                    + "Example: (&(action=attach)(vendor_id=046d))")
    String filter() default "";

    @AttributeDefinition(name = "Start", options = {
            @org.osgi.service.metatype.annotations.Option(label = "newest (only events after the subscription first starts)", value = "latest"),
            @org.osgi.service.metatype.annotations.Option(label = "oldest event still in the history", value = "oldest") },
            description = "Where a subscription without a saved cursor begins")
    String start() default "latest";

    @AttributeDefinition(name = "Request time-out (ms)", min = "100")
    @OldName("timeoutMillis")
    int timeout_ms() default 5000;

    @AttributeDefinition(name = "Back-off base (ms)", min = "1",
            description = "First retry after about this long, doubling per attempt (with jitter)")
    @OldName("backoffBaseMillis")
    long backoff_base_ms() default 500;

    @AttributeDefinition(name = "Back-off cap (ms)", min = "1")
    @OldName("backoffMaxMillis")
    long backoff_max_ms() default 60_000;

    @AttributeDefinition(name = "Attempts for refused events", min = "1",
            description = "A 4xx answer (except 408, 425, 429) is retried this many times in all, then the event is "
                    + "dead-lettered in the delivery log; network errors, time-outs and 5xx are retried until they succeed")
    @OldName("maxAttempts")
    int max_attempts() default 5;

    @AttributeDefinition(name = "Breaker threshold", min = "1",
            description = "Consecutive failed attempts that open the endpoint's circuit breaker")
    @OldName("breakerFailures")
    int breaker_failures() default 5;

    @AttributeDefinition(name = "Breaker open time (ms)", min = "1",
            description = "How long an open breaker waits before one trial request")
    @OldName("breakerOpenMillis")
    long breaker_open_ms() default 30_000;
}
