package io.autoweave.auth.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave operator credentials",
        description = "Who may use the Web Console and the HTTP API. Without a configured hash, a password is "
                + "generated at first start, printed once, and only its salted hash is kept in the data directory.")
@interface AuthConfig {

    @AttributeDefinition(name = "Admin user", description = "User name of the administrator")
    String admin_user() default "admin";

    @AttributeDefinition(name = "Admin password hash",
            description = "pbkdf2-sha256$ITERATIONS$SALT$HASH; empty = use the stored or generated password")
    String admin_password_hash() default "";

    @AttributeDefinition(name = "Failed logins per minute",
            description = "Failed authentications allowed per client address and per user name per sliding minute, "
                    + "over the Web Console and the HTTP API together; beyond that wrong credentials get 429 with "
                    + "Retry-After. Right credentials are never limited.")
    int failures_per_minute() default 10;
}
