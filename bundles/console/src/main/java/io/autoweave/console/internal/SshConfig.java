package io.autoweave.console.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The SSH console ({@code DATA/etc/io.autoweave.ssh.cfg}); the one home of its defaults. */
@ObjectClassDefinition(name = "AutoWeave SSH console", description = "Gogo over SSH for the administrator: password "
        + "(the Web Console credentials) or a key listed in DATA/security/authorized_keys")
public @interface SshConfig {

    @AttributeDefinition(name = "Enabled", description = "Listen for SSH connections")
    boolean enabled() default true;

    @AttributeDefinition(name = "Host", description = "Address to listen on; loopback unless you mean to reach the "
            + "shell from other machines")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "TCP port (1-65535)")
    int port() default 8101;

    @AttributeDefinition(name = "Failed logins per minute", description = "Failed logins one address may make per "
            + "sliding minute before its further attempts are answered one at a time, spaced over the minute "
            + "(correct credentials are still accepted, only later)")
    int auth_failures_per_minute() default 10;

    @AttributeDefinition(name = "Idle timeout (minutes)", description = "Close a session idle this long; 0 never")
    int idle_timeout_minutes() default 30;
}
