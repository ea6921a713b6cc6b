package io.autoweave.usb.pipeline.internal.sources;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;

import org.junit.Test;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;

public class ReplayParserTest {

    private static ReplayParser.ReplayFormatException error(String text) {
        try {
            ReplayParser.parse(text);
        } catch (ReplayParser.ReplayFormatException e) {
            return e;
        }
        fail("expected a format error for " + text);
        return null;
    }

    @Test
    public void parsesAFullLine() {
        List<ReplayParser.Step> steps = ReplayParser.parse("{\"action\":\"attach\",\"vendor_id\":\"046d\","
                + "\"product_id\":\"0xC52B\",\"serial\":\"ABC\",\"manufacturer\":\"Logitech\",\"product\":\"Receiver\","
                + "\"port_path\":\"1-2.3\",\"device_class\":0,\"interface_classes\":[3,\"08\"],\"bcd_device\":\"1211\","
                + "\"bus_number\":1,\"device_address\":7,\"delay_ms\":250,\"source\":\"udev\"}");
        ReplayParser.Step s = steps.get(0);
        assertEquals(1, s.line());
        assertEquals(250, s.delayMillis());
        assertEquals("udev", s.report().source());
        assertEquals(UsbAction.ATTACH, s.report().action());
        UsbDevice d = s.report().device();
        assertEquals(0x046d, d.vendorId());
        assertEquals(0xc52b, d.productId());
        assertEquals("ABC", d.serial());
        assertEquals("1-2.3", d.portPath());
        assertEquals(List.of(3, 8), d.interfaceClasses());
        assertEquals(0x1211, d.bcdDevice());
        assertEquals(7, d.deviceAddress());
    }

    @Test
    public void minimalLineGetsDefaultsAndBlankLinesAreSkipped() {
        List<ReplayParser.Step> steps = ReplayParser.parse(
                "\n{\"action\":\"remove\",\"vendor_id\":1133,\"product_id\":50475,\"serial\":null}\n\n");
        assertEquals(1, steps.size());
        ReplayParser.Step s = steps.get(0);
        assertEquals(2, s.line());
        assertEquals(0, s.delayMillis());
        assertEquals("simulated", s.report().source());
        assertEquals(UsbAction.DETACH, s.report().action());
        assertNull(s.report().device().serial());
        assertNull(s.report().device().portPath());
        assertEquals(-1, s.report().device().busNumber());
    }

    @Test
    public void jsonSyntaxErrorNamesLineAndColumn() {
        assertEquals("line 2, column 11: expected ':' after key \"action\", found '\"'",
                error("{\"action\":\"attach\",\"vendor_id\":1,\"product_id\":2}\n{\"action\" \"attach\"}").getMessage());
    }

    @Test
    public void missingRequiredFieldIsNamed() {
        assertEquals("line 1, vendor_id: required, e.g. \"vendor_id\":\"046d\"",
                error("{\"action\":\"attach\",\"product_id\":2}").getMessage());
        assertTrue(error("{\"vendor_id\":1,\"product_id\":2}").getMessage().startsWith("line 1, action: required"));
    }

    @Test
    public void unknownFieldIsAnErrorNotASilentDefault() {
        assertTrue(error("{\"action\":\"attach\",\"vendor_id\":1,\"product_id\":2,\"vendorid\":3}").getMessage()
                .startsWith("line 1, unknown field \"vendorid\"; known fields: [action,"));
    }

    @Test
    public void badValuesSayWhatWasExpected() {
        assertEquals("line 1, vendor_id: expected hex digits like \"046d\" or a number, found \"zz\"",
                error("{\"action\":\"attach\",\"vendor_id\":\"zz\",\"product_id\":2}").getMessage());
        assertEquals("line 1, product_id: out of range 0..65535: 65536",
                error("{\"action\":\"attach\",\"vendor_id\":1,\"product_id\":65536}").getMessage());
        assertEquals("line 1, delay_ms: expected a whole number or hex string, found number 1.5",
                error("{\"action\":\"attach\",\"vendor_id\":1,\"product_id\":2,\"delay_ms\":1.5}").getMessage());
        assertEquals("line 1, delay_ms: out of range 0..2147483647: -5",
                error("{\"action\":\"attach\",\"vendor_id\":1,\"product_id\":2,\"delay_ms\":-5}").getMessage());
        assertEquals("line 1, serial: expected a string or null, found 42",
                error("{\"action\":\"attach\",\"vendor_id\":1,\"product_id\":2,\"serial\":42}").getMessage());
        assertEquals("line 1, interface_classes[1]: out of range 0..255: 256",
                error("{\"action\":\"attach\",\"vendor_id\":1,\"product_id\":2,\"interface_classes\":[3,256]}")
                        .getMessage());
        assertTrue(error("{\"action\":\"jump\",\"vendor_id\":1,\"product_id\":2}").getMessage()
                .startsWith("line 1, action: unknown USB action 'jump'"));
    }

    @Test
    public void nonObjectLineIsAnError() {
        assertTrue(error("[1,2]").getMessage().startsWith("line 1, expected a JSON object"));
    }
}
