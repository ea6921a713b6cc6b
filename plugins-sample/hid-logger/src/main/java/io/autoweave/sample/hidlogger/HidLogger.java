package io.autoweave.sample.hidlogger;

import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventListener;

/**
 * Logs every attach and detach of a HID device (keyboard, mouse, game pad). The runtime shows this plugin only the
 * devices its {@code UsbPermission} covers; {@code OSGI-INF/permissions.perm} narrows that to class 03 (HID).
 */
@Component
public final class HidLogger implements UsbEventListener {
    static final int HID = 0x03;
    private static final Logger LOG = LoggerFactory.getLogger(HidLogger.class);

    private final AtomicLong logged = new AtomicLong();

    @Override
    public void onEvent(UsbEvent event) {
        UsbDevice d = event.device();
        if (!isHid(d)) {
            return;
        }
        logged.incrementAndGet();
        LOG.info("HID {} {}:{} {} {} at {}", event.action(), d.vendorHex(), d.productHex(),
                d.manufacturer() == null ? "" : d.manufacturer(), d.product() == null ? "" : d.product(),
                d.portPath() == null ? "?" : d.portPath());
    }

    /** HID at device level, or any HID interface (most keyboards and mice declare it per interface). */
    static boolean isHid(UsbDevice d) {
        return d.deviceClass() == HID || d.interfaceClasses().contains(HID);
    }

    long logged() {
        return logged.get();
    }
}
