package io.autoweave.resources.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Limits per security level, per-plugin overrides, and how often and over what window plugins are measured. */
@ObjectClassDefinition(name = "AutoWeave resource enforcer",
        description = "Per-plugin CPU share, allocation rate, threads, call time-out and queue depth, limited per "
                + "security level (low warns, medium throttles and sheds, high stops and blocks)")
@interface ResourceConfig {

    @AttributeDefinition(name = "Sampling period (ms)", description = "How often every plugin is measured. 20..10000")
    long sample_millis() default 250;

    @AttributeDefinition(name = "Window (ms)",
            description = "CPU share and allocation rate are averaged over this window; a breach is recorded at "
                    + "most once per window per plugin and kind. At least 2 sampling periods, at most 600000")
    long window_millis() default 5000;

    @AttributeDefinition(name = "Low: CPU share", description = "Cores' worth of CPU over the window (1.0 = one core)")
    double low_cpu_share() default 1.0;

    @AttributeDefinition(name = "Medium: CPU share")
    double medium_cpu_share() default 0.5;

    @AttributeDefinition(name = "High: CPU share")
    double high_cpu_share() default 0.25;

    @AttributeDefinition(name = "Low: allocation rate (MB/s)", description = "Heap bytes allocated per second over the window")
    long low_alloc_mb_per_s() default 1024;

    @AttributeDefinition(name = "Medium: allocation rate (MB/s)")
    long medium_alloc_mb_per_s() default 256;

    @AttributeDefinition(name = "High: allocation rate (MB/s)")
    long high_alloc_mb_per_s() default 64;

    @AttributeDefinition(name = "Low: threads",
            description = "Live threads the plugin started itself (the security monitor refuses more than its own "
                    + "cap, 32 by default, whatever is set here)")
    int low_max_threads() default 32;

    @AttributeDefinition(name = "Medium: threads")
    int medium_max_threads() default 16;

    @AttributeDefinition(name = "High: threads")
    int high_max_threads() default 8;

    @AttributeDefinition(name = "Low: call time-out (ms)", description = "A listener call running longer is interrupted")
    long low_call_timeout_millis() default 10_000;

    @AttributeDefinition(name = "Medium: call time-out (ms)")
    long medium_call_timeout_millis() default 5_000;

    @AttributeDefinition(name = "High: call time-out (ms)")
    long high_call_timeout_millis() default 2_000;

    @AttributeDefinition(name = "Low: queue depth", description = "Events waiting for the plugin's worker")
    int low_max_queue() default 1024;

    @AttributeDefinition(name = "Medium: queue depth")
    int medium_max_queue() default 512;

    @AttributeDefinition(name = "High: queue depth")
    int high_max_queue() default 256;

    @AttributeDefinition(name = "Per-plugin overrides",
            description = "One entry per plugin: 'SYMBOLIC-NAME key=value,key=value' with keys level (low, medium, "
                    + "high: whose defaults and action apply), cpu, alloc.mb, threads, timeout.ms, queue. Example: "
                    + "'com.acme.scanner cpu=0.8,threads=24'")
    String[] overrides() default {};

    @AttributeDefinition(name = "Interrupt grace (ms)",
            description = "After the time-out interrupt, how long a call may take to return before the plugin counts "
                    + "as unresponsive: its worker is abandoned and replaced, and at medium and high the plugin is stopped")
    long interrupt_grace_millis() default 1000;

    @AttributeDefinition(name = "Throttle (ms)",
            description = "Medium level: how long a plugin's events are shed after a breach (renewed while it lasts)")
    long throttle_millis() default 5000;

    @AttributeDefinition(name = "Recycle worker after N calls",
            description = "A plugin's worker thread is replaced after this many calls (thread-locals and leaked "
                    + "state of a plugin do not live forever). 0 = never")
    long recycle_after_calls() default 10_000;

    @AttributeDefinition(name = "Stop time-out (ms)",
            description = "A force-stop (bundle stop on a thread of its own) that takes longer is given up and logged")
    long stop_timeout_millis() default 5000;

    @AttributeDefinition(name = "Heap pressure threshold (%)",
            description = "When a heap pool is still this full after a garbage collection, the plugin allocating the "
                    + "most over the window is charged with a 'heap' breach. 0 = off")
    int heap_threshold_percent() default 85;
}
