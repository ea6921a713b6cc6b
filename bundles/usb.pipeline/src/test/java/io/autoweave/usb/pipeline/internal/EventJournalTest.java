package io.autoweave.usb.pipeline.internal;

import static io.autoweave.usb.pipeline.internal.Devices.attach;
import static io.autoweave.usb.pipeline.internal.Devices.detach;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.commons.json.JsonParser;

public class EventJournalTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final ManualTime time = new ManualTime();
    private Path file;
    private EventJournal journal;
    private Pipeline pipeline;
    private final List<UsbEvent> delivered = new ArrayList<>();

    @Before
    public void setUp() {
        file = tmp.getRoot().toPath().resolve("events.jsonl");
        journal = new EventJournal(file, TimeUnit.MILLISECONDS.toNanos(1500), time, time);
        pipeline = new Pipeline(PipelineSettings.from(PipelineSettings.configuration(Map.of("instance_id", "i-1"))),
                time, time::wallMillis, time, new EventIds(time::wallMillis, new Random(7)));
        pipeline.addListener(delivered::add);
        pipeline.addListener(journal);
        pipeline.addUpdateListener(journal::update);
    }

    @After
    public void tearDown() {
        journal.close();
    }

    private List<Map<String, Object>> lines() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> json = (Map<String, Object>) JsonParser.parse(line);
            out.add(json);
        }
        return out;
    }

    @Test
    public void theLineWaitsForTheMergeWindowAndListsEverySourceWhileListenersGotTheEventAtOnce() throws Exception {
        pipeline.report(attach("libusb", Devices.withoutStrings(Devices.receiver("1-2"))));
        assertEquals("listeners are not held back", 1, delivered.size());
        time.advanceMillis(30);
        pipeline.report(attach("udev", Devices.receiver("1-2")));
        time.advanceMillis(1400);
        assertEquals("nothing written inside the merge window", 0, lines().size());
        time.advanceMillis(100);
        List<Map<String, Object>> lines = lines();
        assertEquals(1, lines.size());
        assertEquals(List.of("libusb", "udev"), lines.get(0).get("sources"));
        assertEquals("the later, richer source fills the serial", "ABC123", lines.get(0).get("serial_number"));
        assertEquals(delivered.get(0).device().signature(), lines.get(0).get("device_signature"));
        assertEquals(Set.of("libusb"), delivered.get(0).sources());
    }

    @Test
    public void everyFieldTheE2eHarnessReadsIsThereInItsFormat() throws Exception {
        UsbDevice d = new UsbDevice(0x046d, 0x0a, "S\"1", "Logi\\tech", null, 9, 0, 0, List.of(3, 8), 0x100,
                -1, 4, "1-2.3", null);
        pipeline.report(attach("udev", Devices.withSerial(d, "S\"1")));
        time.advanceMillis(1500);
        Map<String, Object> line = lines().get(0);
        assertEquals(List.of("event_id", "instance_id", "action", "timestamp", "vendor_id", "product_id",
                "serial_number", "manufacturer", "product", "device_class", "interface_classes", "bus_number",
                "device_address", "port_path", "device_signature", "sources", "flap_count", "device_subclass",
                "device_protocol", "bcd_device"),
                new ArrayList<>(line.keySet()));
        assertEquals("i-1", line.get("instance_id"));
        assertEquals("attach", line.get("action"));
        assertEquals("046d", line.get("vendor_id"));
        assertEquals("000a", line.get("product_id"));
        assertEquals("S\"1", line.get("serial_number"));
        assertEquals("Logi\\tech", line.get("manufacturer"));
        assertNull(line.get("product"));
        assertEquals(9L, line.get("device_class"));
        assertEquals(List.of(3L, 8L), line.get("interface_classes"));
        assertNull("unknown bus", line.get("bus_number"));
        assertEquals(4L, line.get("device_address"));
        assertEquals("1-2.3", line.get("port_path"));
        assertEquals(time.wallMillis() - 1500, line.get("timestamp"));
        assertEquals(0L, line.get("flap_count"));
    }

    @Test
    public void closeWritesEventsStillInsideTheirWindow() throws Exception {
        pipeline.report(attach("udev", Devices.receiver("1-2")));
        pipeline.report(attach("udev", Devices.stick("S", "1-3")));
        assertEquals(2, journal.held());
        journal.close();
        assertEquals(2, lines().size());
        assertEquals(0, journal.held());
    }

    @Test
    public void aDebouncedEventDeliveredLateStillCarriesTheSourcesThatJoinedBefore() throws Exception {
        UsbDevice d = Devices.receiver("1-2");
        pipeline.report(attach("udev", d));
        time.advanceMillis(10);
        pipeline.report(detach("udev", d)); // held back by the debouncer
        time.advanceMillis(10);
        pipeline.report(detach("libusb", d)); // joins the held-back detach
        time.advanceMillis(600); // debounce window ends: the detach is delivered now
        assertEquals(2, delivered.size());
        time.advanceMillis(2000);
        List<Map<String, Object>> lines = lines();
        assertEquals(2, lines.size());
        assertEquals("detach", lines.get(1).get("action"));
        assertEquals(List.of("udev", "libusb"), lines.get(1).get("sources"));
    }

    @Test
    public void blockedDevicesAreNotJournaled() throws Exception {
        journal.close();
        file = tmp.getRoot().toPath().resolve("blocked.jsonl");
        journal = new EventJournal(file, 0, time, time);
        Pipeline blocking = new Pipeline(PipelineSettings.from(PipelineSettings.configuration(
                Map.of("rules", new String[] { "block class 08" }))), time, time::wallMillis, time,
                new EventIds(time::wallMillis, new Random(7)));
        blocking.addListener(journal);
        blocking.report(attach("udev", Devices.stick("S", "1-3")));
        blocking.report(attach("udev", Devices.receiver("1-2")));
        time.advanceMillis(1);
        List<Map<String, Object>> lines = lines();
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).get("vendor_id").equals("046d"));
        assertEquals(UsbAction.ATTACH.wireName(), lines.get(0).get("action"));
    }
}
