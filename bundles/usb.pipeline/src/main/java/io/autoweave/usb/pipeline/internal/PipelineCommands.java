package io.autoweave.usb.pipeline.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code aw:pipeline}: the counters of every part of the USB pipeline, in the order an event passes them. */
@Component(service = PipelineCommands.class,
        property = { "osgi.command.scope=aw", "osgi.command.function=pipeline" })
public final class PipelineCommands {
    private final PipelineComponent pipeline;
    private final LiveDelivery live;

    @Activate
    public PipelineCommands(@Reference PipelineComponent pipeline, @Reference LiveDelivery live) {
        this.pipeline = pipeline;
        this.live = live;
    }

    @Descriptor("counters of the USB pipeline: reports, merging, debouncing, rules, log appends, listeners, sinks")
    public Map<String, Long> pipeline() {
        Map<String, Long> m = new LinkedHashMap<>(pipeline.counters());
        m.putAll(live.counters());
        return m;
    }
}
