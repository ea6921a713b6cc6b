package io.autoweave.usb.pipeline.internal.sources;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.usb.pipeline.internal.PipelineSettings;
import io.autoweave.usb.pipeline.internal.PipelineComponent;
import io.autoweave.usb.pipeline.internal.ManualTime;
import io.autoweave.usb.pipeline.internal.dispatch.ListenerDispatcherTest;

public class SimulatedSourceTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final ManualTime time = new ManualTime();
    /** Real timers: a 1 ms debounce window lets a detach right after its attach through without a long wait. */
    private final io.autoweave.eventlog.internal.EventLogComponent log = openLog();
    private final PipelineComponent pipeline = new PipelineComponent(
            PipelineSettings.configuration(Map.of("debounce_window_ms", 1L)), tmp.getRoot().toPath(), log, log);
    private final SimulatedSource source = new SimulatedSource(pipeline, pipeline, time, () -> { });

    private io.autoweave.eventlog.internal.EventLogComponent openLog() {
        try {
            tmp.create();
            return io.autoweave.eventlog.internal.EventLogComponent.openAt(tmp.getRoot().toPath());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @After
    public void tearDown() {
        source.deactivate();
        pipeline.deactivate();
        log.close();
    }

    @Test
    public void simulateAttachPutsTheDeviceInTheRegistryAndDetachTakesItOut() throws Exception {
        String answer = source.simulate("simulated", "attach", "046d:c52b", "ABC", "1-2");
        assertEquals("attach 046d:c52b serial ABC port 1-2 reported by simulated; 1 device(s) connected", answer);
        UsbDevice d = pipeline.connected().get(0).device();
        assertEquals("ABC", d.serial());
        assertEquals("1-2", d.portPath());
        source.simulate("simulated", "detach", "046d:c52b", "-", "1-2");
        ListenerDispatcherTest.Await.until(() -> pipeline.connected().isEmpty());
        assertEquals(2, source.health().reports());
    }

    @Test
    public void aSecondSourceJoinsTheSameEventInsteadOfMakingAnother() {
        source.simulate("simulated", "attach", "046d:c52b");
        source.simulate("udev", "attach", "046d:c52b");
        assertEquals(List.of("simulated", "udev"), List.copyOf(pipeline.connected().get(0).sources()));
        assertEquals(1L, (long) pipeline.counters().get("merge.events"));
    }

    @Test
    public void badIdsAndActionsAreRejectedWithWhatToType() {
        try {
            source.simulate("simulated", "attach", "46d:c52b");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("like 046d:c52b"));
        }
        try {
            source.simulate("simulated", "plug", "046d:c52b");
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("use attach or detach"));
        }
    }

    @Test
    public void replayPlaysTheFileWithItsDelays() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("replay.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"action\":\"attach\",\"vendor_id\":\"046d\",\"product_id\":\"c52b\",\"port_path\":\"1-2\"}",
                "{\"action\":\"detach\",\"vendor_id\":\"046d\",\"product_id\":\"c52b\",\"port_path\":\"1-2\",\"delay_ms\":2000}"));
        assertEquals("replaying 2 report(s) from " + file + " over 2000 ms", source.replay(file.toString()));
        time.advanceMillis(0);
        assertEquals(1, pipeline.connected().size());
        time.advanceMillis(2000);
        ListenerDispatcherTest.Await.until(() -> pipeline.connected().isEmpty());
    }

    @Test
    public void aBrokenReplayFileIsRefusedNamingTheFileAndLine() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("bad.jsonl");
        Files.writeString(file, "{\"action\":\"attach\",\"vendor_id\":\"046d\",\"product_id\":\"c52b\"}\n{\"action\":\n");
        try {
            source.replay(file.toString());
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith(file + ": line 2, "));
        }
        assertNull(pipeline.connected().isEmpty() ? null : "nothing played");
    }

    @Test
    public void parseIdsAcceptsUpperCaseHex() {
        int[] ids = SimulatedSource.parseIds("046D:C52B");
        assertEquals(0x046d, ids[0]);
        assertEquals(0xc52b, ids[1]);
        assertEquals(UsbAction.ATTACH, UsbAction.parse("attach"));
    }
}
