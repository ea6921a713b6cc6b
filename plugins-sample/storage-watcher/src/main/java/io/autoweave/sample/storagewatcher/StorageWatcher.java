package io.autoweave.sample.storagewatcher;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * Keeps the set of attached USB mass-storage devices (class 08) by device signature and logs each change. Its
 * {@code OSGI-INF/permissions.perm} limits it to class 08, so it never sees keyboards, cameras or anything else.
 */
@Component
public final class StorageWatcher implements UsbEventListener {
    static final int MASS_STORAGE = 0x08;
    private static final Logger LOG = LoggerFactory.getLogger(StorageWatcher.class);

    private final Map<String, UsbDevice> attached = new ConcurrentHashMap<>();

    @Override
    public void onEvent(UsbEvent event) {
        UsbDevice d = event.device();
        if (!isStorage(d)) {
            return;
        }
        String key = d.signature() != null ? d.signature() : d.vendorHex() + ":" + d.productHex() + "@" + d.portPath();
        if (event.action() == UsbAction.ATTACH) {
            attached.put(key, d);
        } else {
            attached.remove(key);
        }
        LOG.info("storage {} {}:{} {} ({} attached now)", event.action(), d.vendorHex(), d.productHex(),
                d.product() == null ? "" : d.product(), attached.size());
    }

    static boolean isStorage(UsbDevice d) {
        return d.deviceClass() == MASS_STORAGE || d.interfaceClasses().contains(MASS_STORAGE);
    }

    int attachedCount() {
        return attached.size();
    }
}
