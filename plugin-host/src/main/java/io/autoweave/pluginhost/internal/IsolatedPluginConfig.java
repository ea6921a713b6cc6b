package io.autoweave.pluginhost.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One plugin run out of process (factory PID {@code io.autoweave.plugin.isolated}; a file
 * {@code DATA/etc/io.autoweave.plugin.isolated-NAME.cfg} per plugin). The single home of the defaults.
 */
@ObjectClassDefinition(name = "AutoWeave isolated plugin",
        description = "A plain OSGi plugin bundle run in its own confined JVM (plugin host), fed the USB events its "
                + "grant covers")
public @interface IsolatedPluginConfig {

    @AttributeDefinition(name = "Plugin jar", description = "Absolute path of the plugin bundle (a jar with a "
            + "Bundle-SymbolicName)")
    String plugin_jar();

    @AttributeDefinition(name = "Level", description = "high, medium or low: heap, process memory, CPU share, task "
            + "and open-file ceilings of the host (see plugin-host/README.md)")
    String level() default "high";

    @AttributeDefinition(name = "USB grant", description = "UsbPermission names the plugin may monitor, e.g. "
            + "vendor=046d;class=03 or * (none: it sees no device). The plugin's own OSGI-INF/permissions.perm "
            + "narrows it further")
    String[] usb_grant() default {};

    @AttributeDefinition(name = "Extra bundles", description = "Absolute paths of bundles the plugin needs in its "
            + "host (SCR, SLF4J...), installed and started before it")
    String[] bundles() default {};

    @AttributeDefinition(name = "Java home", description = "The JDK that runs the host (empty: the runtime's own)")
    String java_home() default "";

    @AttributeDefinition(name = "Start time-out (ms)", description = "From the process start to the plugin's "
            + "start() returning")
    long start_timeout_ms() default 30_000;

    @AttributeDefinition(name = "Heartbeat time-out (ms)", description = "A host silent this long is killed and "
            + "counted as a crash")
    long heartbeat_timeout_ms() default 5_000;

    @AttributeDefinition(name = "Crashes before block", description = "After this many crashes (exit, kill, "
            + "time-out, protocol violation) the plugin is blocked and never started again until reconfigured")
    int max_crashes() default 3;

    @AttributeDefinition(name = "First back-off (ms)", description = "Wait before the first restart; doubled per "
            + "crash")
    long backoff_ms() default 1_000;

    @AttributeDefinition(name = "Longest back-off (ms)")
    long backoff_max_ms() default 60_000;

    @AttributeDefinition(name = "Queue capacity", description = "Events waiting for the host; beyond it they are "
            + "counted as missed, never waited for")
    int queue_capacity() default 1024;

    @AttributeDefinition(name = "Run without bubblewrap", description = "Without /usr/bin/bwrap the host would "
            + "have the runtime's network and file system (only cgroups, rlimits and -Xmx would hold): refused "
            + "unless this is true")
    boolean allow_unsandboxed() default false;

    @AttributeDefinition(name = "Console lines per second", description = "The plugin's System.out/err lines "
            + "forwarded to the runtime log; the rest is counted as dropped")
    int log_lines_per_second() default 100;

    @AttributeDefinition(name = "Enabled", description = "false: the host is not started (the plugin is stopped)")
    boolean enabled() default true;

    @AttributeDefinition(name = "Runtime bundles", description = "Symbolic names of bundles of the runtime copied "
            + "into the host before the plugin, e.g. org.apache.felix.scr (Declarative Services) and its "
            + "dependencies, org.ops4j.pax.logging.pax-logging-api (the SLF4J API)")
    String[] runtime_bundles() default {};

    @AttributeDefinition(name = "Installed by", description = "installer when the plugin installer deployed it "
            + "after verifying its signature; empty for a host an operator configured")
    String installed_by() default "";

    @AttributeDefinition(name = "Plugin version", description = "Set by the installer")
    String plugin_version() default "";

    @AttributeDefinition(name = "Signer", description = "Set by the installer: who signed the jar")
    String plugin_signer() default "";

    @AttributeDefinition(name = "SHA-256", description = "Set by the installer: the verified jar's digest")
    String plugin_sha256() default "";

    @AttributeDefinition(name = "Source", description = "Set by the installer: where the jar came from")
    String plugin_source() default "";

    @AttributeDefinition(name = "Deployment id", description = "Set by the installer: one id per deployment")
    String deployment_id() default "";
}
