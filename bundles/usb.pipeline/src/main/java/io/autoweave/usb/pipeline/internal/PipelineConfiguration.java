package io.autoweave.usb.pipeline.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Typed configuration of the USB pipeline: the single home of its defaults (see {@link PipelineSettings}). */
@ObjectClassDefinition(name = "AutoWeave USB pipeline",
        description = "Merging, debouncing and rules applied to USB reports before they become events")
@interface PipelineConfiguration {

    @AttributeDefinition(name = "Merge window (ms)", min = "0",
            description = "How long after the first report of an action other sources' reports of it count as on "
                    + "time; later ones still join their action and are counted as late merges (0: no merging)")
    long merge_window_ms() default 1500;

    @AttributeDefinition(name = "Debounce window (ms)", min = "1",
            description = "How long after a device's first event its attach/detach flapping is collapsed")
    long debounce_window_ms() default 500;

    @AttributeDefinition(name = "Reconciliation grace (ms)", min = "1",
            description = "How long after start a device the previous run left connected may go unreported by every "
                    + "source before it gets a detach marked as reconciled (a full sysfs scan decides sooner)")
    long reconcile_grace_ms() default 30000;

    @AttributeDefinition(name = "Default target", description = "Decision when no rule matches",
            options = { @Option(label = "allow", value = "allow"), @Option(label = "block", value = "block") })
    String default_target() default "allow";

    @AttributeDefinition(name = "Rules", required = false,
            description = "Device rules, one per entry (an entry may hold several lines), first match wins, e.g. "
                    + "'block class 08' or 'allow id 046d:*'. A syntax error stops the pipeline with its line and column")
    String[] rules() default {};

    @AttributeDefinition(name = "Instance id", required = false,
            description = "Names this runtime in every event; empty: an id generated once and kept in DATA/instance-id")
    String instance_id() default "";


    @AttributeDefinition(name = "Sink batch size", min = "1",
            description = "Most events handed to a core sink in one call (one fsync, one round trip); when the sink "
                    + "keeps up each call carries the one event waiting")
    int sink_batch_size() default 512;

}
