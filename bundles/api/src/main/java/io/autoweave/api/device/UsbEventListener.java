package io.autoweave.api.device;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: register it and receive USB events.
 *
 * <p>Calls arrive on a worker thread owned by the runtime for the registering bundle, never on a detection
 * thread; a slow listener delays only itself. Events are filtered by the registering bundle's
 * {@code UsbPermission} and by the optional {@link #FILTER} service property before delivery.
 */
@ConsumerType
public interface UsbEventListener {

    /** Optional service property: an LDAP filter over {@link UsbTopics} event properties, e.g. {@code (vendor_id=046d)}. */
    String FILTER = "autoweave.usb.filter";

    /**
     * Receives one event.
     *
     * @param event the event; never null
     */
    void onEvent(UsbEvent event);
}
