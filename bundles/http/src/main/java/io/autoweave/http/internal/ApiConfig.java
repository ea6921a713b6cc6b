package io.autoweave.http.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave HTTP API",
        description = "Bearer tokens and limits of /api/v1 and /metrics. The administrator's Basic credentials also work.")
@interface ApiConfig {

    @AttributeDefinition(description = "Deprecated: API tokens now live in DATA/security/api-tokens (aw:token NAME "
            + "ROLE, /api/v1/tokens). Lines NAME:ROLE:SALT:HASH given here still work but cannot be revoked there")
    String[] tokens() default {};

    @AttributeDefinition(description = "Largest request body accepted, in bytes (413 above)")
    long max_request_bytes() default 1_048_576;

    @AttributeDefinition(description = "Largest plugin jar accepted by POST /api/v1/plugins, in bytes (413 above); "
            + "the install gate's own limit is 64 MiB")
    long max_plugin_bytes() default 67_108_864;
}
