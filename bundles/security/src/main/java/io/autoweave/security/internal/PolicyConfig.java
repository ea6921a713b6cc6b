package io.autoweave.security.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave policy reload",
        description = "Reloads the ConditionalPermissionAdmin rows when a file of the policy directory the runtime "
                + "was started with (--policies) is added, changed or removed")
@interface PolicyConfig {

    @AttributeDefinition(name = "Watch", description = "Reload on change; false = only with aw:policy-reload")
    boolean watch() default true;

    @AttributeDefinition(name = "Settle time (ms)",
            description = "Wait this long after the last change before reloading, so an editor's several writes "
                    + "make one reload. 50..60000")
    long settle_millis() default 300;
}
