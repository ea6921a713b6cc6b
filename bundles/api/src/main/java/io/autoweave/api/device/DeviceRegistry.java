package io.autoweave.api.device;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** Read-only view of what is connected now, registered by the USB pipeline. Safe to call from any thread. */
@ProviderType
public interface DeviceRegistry {

    /** Every connected device, oldest connection first. */
    List<ConnectedDevice> connected();

    /**
     * Every connected device with {@code signature} (lower- or upper-case hex). Usually one; identical devices
     * without a serial number share a signature, so several may be plugged at once.
     */
    List<ConnectedDevice> find(String signature);

    /**
     * The id of this runtime instance, stamped on every event ({@link UsbEvent#instanceId()}); other parts of the
     * runtime (the Redis consumer-group member name) use it so one instance has one name everywhere (since 1.3).
     */
    String instanceId();
}
