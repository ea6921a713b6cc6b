package io.autoweave.usb.linux.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.source.DeviceReport;
import io.autoweave.fuzz.Contract;

/**
 * {@code udevadm monitor --property} output, as a pipe can deliver it, through the line parser and the translator
 * into attach/detach reports. Contract: nothing a pipe delivers throws (the reader thread would die); blocks stay
 * bounded; a report names the block's kernel name as its port and is never for an interface.
 */
class UdevMonitorFuzzTest {

    @ParserFuzzTest
    void anyMonitorOutputBecomesBoundedBlocksAndWellFormedReports(byte[] data) {
        String text = Contract.text(data);
        UdevMonitorParser parser = new UdevMonitorParser();
        List<UdevBlock> blocks = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            parser.line(line).ifPresent(blocks::add);
        }
        parser.finish().ifPresent(blocks::add);
        UdevTranslator withRootHubs = new UdevTranslator(null, true);
        UdevTranslator withoutRootHubs = new UdevTranslator(null, false);
        for (UdevBlock block : blocks) {
            assertTrue(block.properties().size() <= UdevMonitorParser.MAX_PROPERTIES, "unbounded block");
            assertTrue(!block.action().isEmpty() && !block.devpath().isEmpty(), "block without action or path");
            for (String value : block.properties().values()) {
                assertTrue(value.length() <= 4096, "unbounded property value");
            }
            check(block, withRootHubs.translate(block));
            check(block, withoutRootHubs.translate(block));
        }
    }

    private static void check(UdevBlock block, Optional<DeviceReport> report) {
        if (report.isEmpty()) {
            return;
        }
        DeviceReport r = report.get();
        assertEquals(block.kernelName(), r.device().portPath(), "report for another port than the block's");
        assertTrue(!SysfsDevices.isInterface(r.device().portPath()), "report for an interface");
        assertEquals("add".equals(block.action()) ? UsbAction.ATTACH : UsbAction.DETACH, r.action());
    }
}
