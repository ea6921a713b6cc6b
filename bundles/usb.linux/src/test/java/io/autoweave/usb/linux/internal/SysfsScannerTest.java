package io.autoweave.usb.linux.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.source.UsbSource.State;

public class SysfsScannerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final RecordingSink sink = new RecordingSink();
    private SysfsScanner scanner;

    @After
    public void stop() {
        if (scanner != null) {
            scanner.stop();
        }
    }

    @Test
    public void startSendsASnapshotOfTheCapturedTree() {
        scanner = new SysfsScanner(new SysfsDevices(Fixtures.sysfs("multi")), false, sink, Duration.ZERO, WAIT).start();

        Fixtures.await("first snapshot", WAIT, () -> sink.snapshots.size() == 1);
        assertEquals("sysfs", sink.lastSnapshot().source());
        assertEquals(List.of("1-2", "1-4", "2-1"), ports(sink.lastSnapshot().devices()));
        Fixtures.await("health RUNNING", WAIT, () -> scanner.health().state() == State.RUNNING);
        assertTrue(scanner.health().detail(), scanner.health().detail().startsWith("3 device(s)"));
        assertEquals(1, scanner.health().reports());
    }

    @Test
    public void resyncAfterAMissedDetachSendsASnapshotWithoutTheDevice() throws Exception {
        Path root = tmp.getRoot().toPath();
        Path devices = root.resolve("bus/usb/devices");
        write(devices.resolve("1-1"), "idVendor", "0627");
        write(devices.resolve("1-1"), "idProduct", "0001");
        write(devices.resolve("1-2"), "idVendor", "46f4");
        write(devices.resolve("1-2"), "idProduct", "0001");
        scanner = new SysfsScanner(new SysfsDevices(root), false, sink, Duration.ZERO, WAIT).start();
        Fixtures.await("first snapshot", WAIT, () -> sink.snapshots.size() == 1);
        assertEquals(List.of("1-1", "1-2"), ports(sink.lastSnapshot().devices()));

        // the device leaves while no live source listens: only a resync can tell the pipeline
        Files.delete(devices.resolve("1-1/idVendor"));
        Files.delete(devices.resolve("1-1/idProduct"));
        Files.delete(devices.resolve("1-1"));
        scanner.resync("udev monitor (re)started");

        Fixtures.await("repair snapshot", WAIT, () -> sink.snapshots.size() == 2);
        assertEquals(List.of("1-2"), ports(sink.lastSnapshot().devices()));
        assertTrue(scanner.health().detail(), scanner.health().detail().contains("udev monitor (re)started"));
    }

    @Test
    public void periodicScansRepeatAtTheInterval() {
        scanner = new SysfsScanner(new SysfsDevices(Fixtures.sysfs("kbd")), false, sink, Duration.ofMillis(30), WAIT)
                .start();

        Fixtures.await("three snapshots", WAIT, () -> sink.snapshots.size() >= 3);
        List<RecordingSink.Snapshot> s = sink.snapshots;
        assertTrue("periodic scans keep their interval",
                s.get(2).nanos() - s.get(1).nanos() >= Duration.ofMillis(30).toNanos());
    }

    @Test
    public void withoutAUsbBusHealthSaysWhyAndNoSnapshotIsSent() {
        scanner = new SysfsScanner(new SysfsDevices(tmp.getRoot().toPath()), false, sink, Duration.ofSeconds(30), WAIT)
                .start();

        Fixtures.await("health FAILED", WAIT, () -> scanner.health().state() == State.FAILED);
        String detail = scanner.health().detail();
        assertTrue(detail, detail.contains("no USB bus here, or sysfs not mounted"));
        assertTrue(detail, detail.endsWith("rescans every 30 s"));
        scanner.resync("test");
        scanner.resync("test");
        assertEquals(List.of(), sink.snapshots); // an empty snapshot would detach everything
    }

    @Test
    public void requestsWhileAScanIsQueuedFoldIntoThatScan() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch inFirst = new java.util.concurrent.CountDownLatch(1);
        RecordingSink blocking = new RecordingSink() {
            @Override
            public void snapshot(String source, java.util.Collection<UsbDevice> present) {
                super.snapshot(source, present);
                inFirst.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        scanner = new SysfsScanner(new SysfsDevices(Fixtures.sysfs("multi")), false, blocking, Duration.ZERO, WAIT)
                .start();
        assertTrue(inFirst.await(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));

        for (int i = 0; i < 1000; i++) {
            scanner.resync("burst");
        }
        release.countDown();
        Fixtures.await("the folded scan", WAIT, () -> blocking.snapshots.size() == 2);
        scanner.resync("one more");
        Fixtures.await("the last scan", WAIT, () -> blocking.snapshots.size() >= 3);

        assertEquals(3, blocking.snapshots.size());
        scanner.stop();
        assertEquals(State.STOPPED, scanner.health().state());
        scanner.resync("after stop"); // ignored, no exception
    }

    private static List<String> ports(List<UsbDevice> devices) {
        return devices.stream().map(UsbDevice::portPath).collect(Collectors.toList());
    }

    private static void write(Path dir, String name, String value) throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), (value + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
