package io.autoweave.sample.notifier;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Set;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;

public class NotifierTest {

    @Test
    public void theJsonCarriesTheEventAndEscapesStrings() {
        UsbDevice d = new UsbDevice(0x046d, 0xc52b, null, "Logitech", "Receiver \"Unifying\"", 0, 0, 0, List.of(3),
                0x1201, 1, 2, "1-2", "abc");
        UsbEvent e = new UsbEvent("id-1", "inst", UsbAction.ATTACH, 1L, 2L, d, Set.of("udev"), 0);
        assertEquals("{\"event_id\":\"id-1\",\"action\":\"attach\",\"vendor_id\":\"046d\",\"product_id\":\"c52b\","
                + "\"serial_number\":null,\"product\":\"Receiver \\\"Unifying\\\"\",\"port_path\":\"1-2\","
                + "\"device_signature\":\"abc\"}", Notifier.json(e));
    }
}
