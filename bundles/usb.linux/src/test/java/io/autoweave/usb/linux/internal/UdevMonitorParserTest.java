package io.autoweave.usb.linux.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.Test;

public class UdevMonitorParserTest {

    @Test
    public void realCaptureSplitsIntoOneBlockPerEventWithHeaderAndProperties() throws Exception {
        List<String> lines = Fixtures.lines("udev-monitor/usb-storage-3-cycles.log");
        long headers = lines.stream().filter(l -> l.startsWith("UDEV") && l.contains("[") || l.startsWith("KERNEL[")).count();

        List<UdevBlock> blocks = Fixtures.parse(lines);

        assertEquals(headers, blocks.size());
        UdevBlock first = blocks.stream().filter(b -> "UDEV".equals(b.origin())).findFirst().orElseThrow();
        assertEquals("add", first.action());
        assertEquals("/devices/pci0000:00/0000:00:04.0/usb2/2-2", first.devpath());
        assertEquals("2-2", first.kernelName());
        assertEquals("usb_device", first.get("DEVTYPE"));
        assertEquals("46f4/1/0", first.get("PRODUCT"));
        assertEquals("QEMU\\x20USB\\x20HARDDRIVE", first.get("ID_MODEL_ENC"));
        assertEquals(":080650:", first.get("ID_USB_INTERFACES"));
    }

    @Test
    public void everyRealCaptureParsesWithoutMalformedBlocks() throws Exception {
        for (String log : List.of("usb-kbd-3-cycles.log", "usb-mouse-3-cycles.log", "usb-tablet-3-cycles.log",
                "usb-serial-3-cycles.log", "usb-storage-3-cycles.log", "all-subsystems-kbd-1-cycle.log",
                "all-subsystems-storage-1-cycle.log")) {
            List<String> lines = Fixtures.lines("udev-monitor/" + log);
            UdevMonitorParser parser = new UdevMonitorParser();
            int blocks = 0;
            for (String line : lines) {
                blocks += parser.line(line).isPresent() ? 1 : 0;
            }
            blocks += parser.finish().isPresent() ? 1 : 0;
            long headers = lines.stream().filter(l -> l.matches("^(UDEV|KERNEL)\\s*\\[.*")).count();
            assertEquals(log, headers, blocks);
            assertEquals(log, 0, parser.malformed());
        }
    }

    @Test
    public void bannerIsIgnoredAndAHeaderWithoutABlankLineBeforeItClosesThePreviousBlock() {
        List<UdevBlock> blocks = Fixtures.parse(List.of(
                "monitor will print the received events for:",
                "UDEV - the event which udev sends out after rule processing",
                "",
                "UDEV  [1.0] add      /devices/x/usb1/1-1 (usb)",
                "ACTION=add",
                "DEVPATH=/devices/x/usb1/1-1",
                "UDEV  [2.0] remove   /devices/x/usb1/1-1 (usb)",
                "ACTION=remove",
                "DEVPATH=/devices/x/usb1/1-1"));

        assertEquals(List.of("add", "remove"), blocks.stream().map(UdevBlock::action).collect(Collectors.toList()));
    }

    @Test
    public void noiseLinesAreSkippedAndValuesMayContainEqualsSigns() {
        List<UdevBlock> blocks = Fixtures.parse(List.of(
                "UDEV  [1.0] add      /devices/x/usb1/1-1 (usb)",
                "this line is not a property",
                "ACTION=add",
                "DEVPATH=/devices/x/usb1/1-1",
                "ID_MODEL_ENC=a=b",
                "", "", ""));

        assertEquals(1, blocks.size());
        assertEquals("a=b", blocks.get(0).get("ID_MODEL_ENC"));
        assertNull(blocks.get(0).get("this line is not a property"));
    }

    @Test
    public void blockWithoutActionOrDevpathIsDroppedAndCounted() {
        UdevMonitorParser parser = new UdevMonitorParser();
        parser.line("FOO=bar");
        assertTrue(parser.line("").isEmpty());
        assertEquals(1, parser.malformed());
    }

    @Test
    public void headerOnlyBlockTakesActionAndDevpathFromTheHeader() {
        List<UdevBlock> blocks = Fixtures.parse(List.of("UDEV  [5.5] remove   /devices/x/usb1/1-1/ (usb)", ""));

        assertEquals(1, blocks.size());
        assertEquals("remove", blocks.get(0).action());
        assertEquals("1-1", blocks.get(0).kernelName());
    }

    @Test
    public void truncatedLastBlockAtEndOfStreamIsStillDelivered() {
        UdevMonitorParser parser = new UdevMonitorParser();
        parser.line("UDEV  [1.0] add      /devices/x/usb1/1-1 (usb)");
        parser.line("ACTION=add");
        assertEquals("add", parser.finish().orElseThrow().action());
        assertTrue(parser.finish().isEmpty());
    }

    @Test
    public void runawayBlockStopsGrowingAtTheLimit() {
        UdevMonitorParser parser = new UdevMonitorParser();
        parser.line("UDEV  [1.0] add      /devices/x/usb1/1-1 (usb)");
        for (int i = 0; i < UdevMonitorParser.MAX_PROPERTIES * 3; i++) {
            parser.line("K" + i + "=v");
        }
        assertEquals(UdevMonitorParser.MAX_PROPERTIES, parser.finish().orElseThrow().properties().size());
    }
}
