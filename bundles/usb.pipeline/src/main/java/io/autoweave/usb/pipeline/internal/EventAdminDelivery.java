package io.autoweave.usb.pipeline.internal;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbTopics;
import io.autoweave.api.log.EventLog;

/** A live reader of the event log that posts each committed event on EventAdmin ({@link UsbTopics}). */
@Component(service = EventAdminDelivery.class, immediate = true)
public final class EventAdminDelivery {
    final LiveDispatch dispatch;
    final LongAdder posted = new LongAdder();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin eventAdmin;

    @Activate
    public EventAdminDelivery(@Reference EventLog log, @Reference PipelineComponent pipeline) {
        dispatch = new LiveDispatch(log, pipeline.liveFrom(), List.of(this::post), System::nanoTime,
                "autoweave-usb-eventadmin");
    }

    @Deactivate
    void deactivate() {
        dispatch.close(2000); // EventAdmin gets what was committed
    }

    private void post(UsbEvent event) {
        EventAdmin admin = eventAdmin;
        if (admin != null) {
            admin.postEvent(new Event(UsbTopics.topic(event.action()), EventProperties.of(event)));
            posted.increment();
        }
    }
}
