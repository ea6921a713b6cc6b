package io.autoweave.sample.hidlogger;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

public class HidLoggerTest {

    private static UsbEvent event(UsbAction action, int deviceClass, List<Integer> interfaces) {
        UsbDevice d = new UsbDevice(0x046d, 0xc52b, null, "Logitech", "Receiver", deviceClass, 0, 0, interfaces,
                0x1201, 1, 3, "1-2", "sig");
        return new UsbEvent("e1", "i1", action, 0L, 0L, d, Set.of("test"), 0);
    }

    @Test
    public void logsHidDevicesDeclaredPerInterfaceOrPerDevice() {
        HidLogger logger = new HidLogger();
        logger.onEvent(event(UsbAction.ATTACH, 0, List.of(3, 3)));
        logger.onEvent(event(UsbAction.DETACH, 3, List.of()));
        assertEquals(2, logger.logged());
    }

    @Test
    public void ignoresOtherDevices() {
        HidLogger logger = new HidLogger();
        logger.onEvent(event(UsbAction.ATTACH, 0, List.of(8)));
        assertEquals(0, logger.logged());
    }
}
