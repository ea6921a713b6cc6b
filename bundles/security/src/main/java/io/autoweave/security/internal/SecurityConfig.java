package io.autoweave.security.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "AutoWeave security monitor",
        description = "Escalation rules for plugin violations (per security level), lockdown, thread limit, audit log")
@interface SecurityConfig {

    @AttributeDefinition(name = "Low: block on critical",
            description = "Whether one critical violation (exit, setSecurityManager, suppressAccessChecks, "
                    + "loadLibrary, execute, AdminPermission...) blocks a low-level plugin; false = warn only")
    boolean low_block_on_critical() default false;

    @AttributeDefinition(name = "Low: block after N violations", description = "0 = never (warn only)")
    int low_block_after_violations() default 0;

    @AttributeDefinition(name = "Medium: block on critical")
    boolean medium_block_on_critical() default true;

    @AttributeDefinition(name = "Medium: block after N violations", description = "0 = never")
    int medium_block_after_violations() default 5;

    @AttributeDefinition(name = "High: block on critical")
    boolean high_block_on_critical() default true;

    @AttributeDefinition(name = "High: block after N violations", description = "0 = never")
    int high_block_after_violations() default 3;

    @AttributeDefinition(name = "Lockdown after M blocked plugins",
            description = "When this many plugins are blocked at once the system locks down: installs refused, "
                    + "every plugin stopped, until aw:lockdown off. 0 = never")
    int lockdown_after_blocks() default 3;

    @AttributeDefinition(name = "Threads per plugin",
            description = "Live threads a plugin may have in its thread group; creating one more is denied and "
                    + "recorded as a violation (rule thread-limit). 1..10000")
    int max_threads_per_plugin() default 32;

    @AttributeDefinition(name = "Repeat window (ms)",
            description = "Identical denials (same plugin, same permission) within this window count as one "
                    + "violation, so a loop or a service enumeration is not N violations. 0..60000")
    long repeat_window_millis() default 2000;

    @AttributeDefinition(name = "Console lines per second",
            description = "Lines a plugin may write to System.out and System.err per second (refilled budget); "
                    + "lines over it are dropped, counted and reported as a resource violation. 1..100000")
    long console_lines_per_second() default 100;

    @AttributeDefinition(name = "Console burst",
            description = "Lines a quiet plugin may write at once before the per-second budget applies. 1..1000000")
    long console_burst_lines() default 1000;

    @AttributeDefinition(name = "Audit log", description = "JSON Lines file, relative to the data directory")
    String audit_path() default "security/audit.jsonl";

    @AttributeDefinition(name = "State file",
            description = "Blocked plugins and lockdown, relative to the data directory")
    String state_path() default "security/blocked.properties";
}
