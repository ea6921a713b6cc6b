package io.autoweave.webconsole.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave Web Console pages",
        description = "Limits of the AutoWeave pages in the Felix Web Console")
@interface ConsoleConfig {

    @AttributeDefinition(name = "Recent events", description = "USB events kept for the devices page, 1..10000")
    int recent_events() default 100;

    @AttributeDefinition(name = "Maximum upload size", description = "Largest plugin archive accepted by upload, "
            + "in bytes (1 KiB..1 GiB)")
    long max_upload_bytes() default 64L * 1024 * 1024;

    @AttributeDefinition(name = "Audit rows", description = "Audit records shown on the security page, 1..10000")
    int audit_rows() default 200;

    @AttributeDefinition(name = "SSE heartbeat", description = "Seconds between keep-alive comments on the live "
            + "device stream, 1..300")
    int sse_heartbeat_seconds() default 15;
}
