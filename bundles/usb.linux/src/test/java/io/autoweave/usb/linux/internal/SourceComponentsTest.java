package io.autoweave.usb.linux.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.source.UsbSource.State;

/** The DS components without a framework: references set directly, typed configuration as DS passes it. */
public class SourceComponentsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final RecordingSink sink = new RecordingSink();
    private final SysfsSourceComponent sysfs = new SysfsSourceComponent();
    private final UdevSourceComponent udev = new UdevSourceComponent();

    @After
    public void deactivate() {
        udev.deactivate();
        sysfs.deactivate();
    }

    @Test
    public void onAMachineWithoutUsbBusNorUdevadmBothActivateAndHealthSaysWhy() {
        Path noSys = tmp.getRoot().toPath();
        sysfs.sink = sink;
        sysfs.activate(null, Configs.of(SysfsConfig.class, Map.of("sysfs_root", noSys.toString())), Map.of());
        udev.sink = sink;
        udev.resync = sysfs;
        udev.activate(null, Configs.of(UdevConfig.class, Map.of("udevadm_path", noSys.resolve("udevadm").toString(),
                "sysfs_root", noSys.toString())), Map.of());

        Fixtures.await("sysfs FAILED", WAIT, () -> sysfs.health().state() == State.FAILED);
        Fixtures.await("udev FAILED", WAIT, () -> udev.health().state() == State.FAILED);
        assertEquals("sysfs", sysfs.name());
        assertEquals("udev", udev.name());
        assertTrue(sysfs.health().detail(), sysfs.health().detail().contains("no USB bus here"));
        assertTrue(udev.health().detail(), udev.health().detail().contains("does not exist (install udev"));
        assertTrue(sink.snapshots.isEmpty());
    }

    @Test
    public void udevRestartAsksTheSysfsSourceForASnapshot() throws Exception {
        sysfs.sink = sink;
        sysfs.activate(null, Configs.of(SysfsConfig.class, Map.of("sysfs_root", Fixtures.sysfs("kbd").toString(),
                "scan_interval_s", 0)), Map.of());
        Fixtures.await("start snapshot", WAIT, () -> sink.snapshots.size() == 1);

        Path fake = tmp.newFile("udevadm").toPath();
        Files.write(fake, "#!/bin/sh\nprintf 'UDEV - the event which udev sends out after rule processing\\n\\n'\nexit 0\n"
                .getBytes(StandardCharsets.UTF_8));
        assertTrue(fake.toFile().setExecutable(true));
        udev.sink = sink;
        udev.resync = sysfs;
        udev.activate(null, Configs.of(UdevConfig.class, Map.of("udevadm_path", fake.toString(),
                "sysfs_root", Fixtures.sysfs("kbd").toString(), "restart_backoff_initial_ms", 10L,
                "restart_backoff_max_ms", 50L)), Map.of());

        Fixtures.await("resync snapshots after udev (re)starts", WAIT, () -> sink.snapshots.size() >= 3);
        assertEquals("sysfs", sink.lastSnapshot().source());
        assertEquals("1-1", sink.lastSnapshot().devices().get(0).portPath());
    }

    @Test
    public void disabledSourcesReportStoppedAndDoNothing() {
        sysfs.sink = sink;
        sysfs.activate(null, Configs.of(SysfsConfig.class, Map.of("enabled", false)), Map.of());
        udev.sink = sink;
        udev.activate(null, Configs.of(UdevConfig.class, Map.of("enabled", false)), Map.of());

        assertEquals(State.STOPPED, sysfs.health().state());
        assertEquals("disabled by configuration (io.autoweave.usb.udev enabled=false)", udev.health().detail());
        sysfs.resync("ignored");
        assertTrue(sink.snapshots.isEmpty());
    }

    @Test
    public void invalidConfigurationIsRefusedNamingKeyAndWhatToFix() {
        expectFailure("sysfs.root=sys: must be an absolute path", () -> SysfsSourceComponent.check(
                Configs.of(SysfsConfig.class, Map.of("sysfs_root", "sys"))));
        expectFailure("scan.interval.s=-1: must be from 0 to 86400", () -> SysfsSourceComponent.check(
                Configs.of(SysfsConfig.class, Map.of("scan_interval_s", -1))));
        expectFailure("udevadm.path", () -> UdevSourceComponent.check(
                Configs.of(UdevConfig.class, Map.of("udevadm_path", " "))));
        expectFailure("restart.backoff.max.ms=30000: must be from 60000", () -> UdevSourceComponent.check(
                Configs.of(UdevConfig.class, Map.of("restart_backoff_initial_ms", 60_000L))));
    }

    @Test
    public void aRefusedConfigurationAtStartRunsTheSourceOnItsDefaults() {
        udev.activate(null, Configs.of(UdevConfig.class, Map.of("udevadm_path", " ")), Map.of());
        assertNotNull("the monitor runs (on the default udevadm)", udev.health());
    }

    @Test
    public void theCommandListensToProcessedUsbDeviceEventsOnly() {
        assertEquals(java.util.List.of("udevadm", "monitor", "--udev", "--property", "--subsystem-match=usb/usb_device"),
                UdevSourceComponent.command("udevadm"));
    }

    private static void expectFailure(String message, Runnable action) {
        try {
            action.run();
            fail("expected IllegalArgumentException containing: " + message);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(message));
        }
    }
}
