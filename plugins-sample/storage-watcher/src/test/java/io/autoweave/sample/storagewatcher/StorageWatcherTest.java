package io.autoweave.sample.storagewatcher;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

public class StorageWatcherTest {

    private static UsbEvent event(UsbAction action, String signature, List<Integer> interfaces) {
        UsbDevice d = new UsbDevice(0x0781, 0x5567, "S1", "SanDisk", "Cruzer", 0, 0, 0, interfaces, 0x0100, 1, 4,
                "1-3", signature);
        return new UsbEvent("e-" + signature + action, "i1", action, 0L, 0L, d, Set.of("test"), 0);
    }

    @Test
    public void tracksAttachedStorageBySignature() {
        StorageWatcher w = new StorageWatcher();
        w.onEvent(event(UsbAction.ATTACH, "a", List.of(8)));
        w.onEvent(event(UsbAction.ATTACH, "b", List.of(8)));
        w.onEvent(event(UsbAction.DETACH, "a", List.of(8)));
        assertEquals(1, w.attachedCount());
    }

    @Test
    public void ignoresNonStorageDevices() {
        StorageWatcher w = new StorageWatcher();
        w.onEvent(event(UsbAction.ATTACH, "k", List.of(3)));
        assertEquals(0, w.attachedCount());
    }
}
