package io.autoweave.redis.internal;

import java.util.List;
import java.util.Set;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

/** Test events. */
final class Events {
    private Events() {
    }

    static UsbDevice device(int n) {
        return new UsbDevice(0x046d, 0xc52b, "SER-" + n, "Logitech", "USB Receiver", 0, 0, 0, List.of(3, 3, 3),
                0x1211, 1, 10 + n, "1-" + n, "sig" + n);
    }

    /** Event number {@code k} of device {@code n}; monotonicNanos carries k so order can be checked per device. */
    static UsbEvent event(int n, long k) {
        return new UsbEvent("ev-" + n + "-" + k, "inst-1", k % 2 == 0 ? UsbAction.ATTACH : UsbAction.DETACH,
                1_700_000_000_000L + k, k, device(n), Set.of("libusb"), 0);
    }
}
