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
}
