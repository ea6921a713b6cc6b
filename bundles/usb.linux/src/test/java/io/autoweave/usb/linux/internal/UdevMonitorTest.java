package io.autoweave.usb.linux.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.source.UsbSource.State;
import io.autoweave.commons.retry.Backoff;

/** The supervisor against fake udevadm commands: shell scripts that print real captured blocks. */
public class UdevMonitorTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration STOP = Duration.ofSeconds(2);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final RecordingSink sink = new RecordingSink();
    /** System.nanoTime() of each resync request, i.e. of each start that reached "listening". */
    private final List<Long> resyncs = new CopyOnWriteArrayList<>();
    private UdevMonitor monitor;

    @After
    public void stop() {
        if (monitor != null) {
            monitor.stop();
        }
    }

    /** The banner and the first attach block of the keyboard capture, as udevadm would print them. */
    private Path capturedOutput() throws Exception {
        List<String> lines = Fixtures.lines("udev-monitor/usb-kbd-3-cycles.log");
        StringBuilder out = new StringBuilder("monitor will print the received events for:\n"
                + "UDEV - the event which udev sends out after rule processing\n\n");
        int start = lines.indexOf(lines.stream().filter(l -> l.startsWith("UDEV  [") && l.contains(" add ")
                && l.endsWith("/usb1/1-1 (usb)")).findFirst().orElseThrow());
        for (int i = start; !lines.get(i).isEmpty(); i++) {
            out.append(lines.get(i)).append('\n');
        }
        out.append('\n');
        Path file = tmp.newFile("udev-output.txt").toPath();
        Files.writeString(file, out.toString());
        return file;
    }

    private Path script(String body) throws Exception {
        Path script = tmp.newFile("fake-udevadm.sh").toPath();
        Files.write(script, ("#!/bin/sh\n" + body + "\n").getBytes(StandardCharsets.UTF_8));
        assertTrue(script.toFile().setExecutable(true));
        return script;
    }

    private UdevMonitor monitor(Path command, long initialBackoff, long maxBackoff) {
        return new UdevMonitor(List.of(command.toString()), new UdevTranslator(null, false), sink,
                () -> resyncs.add(System.nanoTime()), Backoff.withoutJitter(initialBackoff, maxBackoff), STOP);
    }

    @Test
    public void exitingMonitorIsRestartedWithGrowingBackoffAndEachStartAsksForAResync() throws Exception {
        Path output = capturedOutput();
        monitor = monitor(script("cat '" + output + "'\necho 'boom: netlink socket gone' >&2\nexit 3"), 100, 800)
                .start();

        Fixtures.await("four starts", WAIT, () -> resyncs.size() >= 4);

        // every run printed one attach of the real keyboard block
        Fixtures.await("four reports", WAIT, () -> sink.reports.size() >= 4);
        assertEquals(UsbAction.ATTACH, sink.reports.get(0).action());
        assertEquals("1-1", sink.reports.get(0).device().portPath());
        // back-off 100, 200, 400 ms between the runs: the gaps are at least that
        for (int i = 1; i < 4; i++) {
            long gapMillis = (resyncs.get(i) - resyncs.get(i - 1)) / 1_000_000;
            long backoff = 100L << (i - 1);
            assertTrue("gap " + i + " was " + gapMillis + " ms, back-off " + backoff + " ms", gapMillis >= backoff);
        }
        assertTrue(monitor.health().restarts() >= 3);
        Fixtures.await("health RESTARTING", WAIT, () -> monitor.health().state() == State.RESTARTING);
        String detail = monitor.health().detail();
        assertTrue(detail, detail.startsWith("udevadm exited with status 3: boom: netlink socket gone; restarting in"));
    }

    @Test
    public void missingUdevadmIsFailedWithTheReasonAndRetriedWithoutBusyLooping() throws Exception {
        Path missing = tmp.getRoot().toPath().resolve("no/such/udevadm");
        monitor = monitor(missing, 50, 200).start();

        Fixtures.await("health FAILED", WAIT, () -> monitor.health().state() == State.FAILED);
        long t0 = System.nanoTime();
        Fixtures.await("three retries", WAIT, () -> monitor.health().restarts() >= 3);
        long elapsed = (System.nanoTime() - t0) / 1_000_000;

        String detail = monitor.health().detail();
        assertTrue(detail, detail.contains(missing + " does not exist (install udev, or set udevadm.path)"));
        assertTrue(detail, detail.contains("retrying in"));
        assertTrue("three retries took only " + elapsed + " ms", elapsed >= 50 + 100);
        assertTrue(resyncs.isEmpty());
        assertTrue(sink.reports.isEmpty());
    }

    @Test
    public void commandNotOnPathSaysSo() {
        String why = UdevMonitor.checkExecutable("autoweave-no-such-udevadm");
        assertTrue(why, why.startsWith("autoweave-no-such-udevadm not found on PATH"));
    }

    @Test
    public void stopEndsARunningMonitorAndItsChildrenWithinTheBound() throws Exception {
        Path output = capturedOutput();
        Path pidFile = tmp.getRoot().toPath().resolve("child.pid");
        // the child keeps stdout open: stop must not wait for end of stream
        monitor = monitor(script("cat '" + output + "'\nsleep 600 &\necho $! > '" + pidFile + "'\nwait"), 100, 1000)
                .start();
        Fixtures.await("RUNNING", WAIT, () -> monitor.health().state() == State.RUNNING);
        Fixtures.await("report", WAIT, () -> sink.reports.size() == 1);
        Fixtures.await("child started", WAIT, () -> Files.exists(pidFile) && pidFileComplete(pidFile));
        long child = Long.parseLong(Files.readString(pidFile).trim());

        long t0 = System.nanoTime();
        monitor.stop();
        long tookMillis = (System.nanoTime() - t0) / 1_000_000;

        assertTrue("stop took " + tookMillis + " ms", tookMillis < 3 * STOP.toMillis());
        assertEquals(State.STOPPED, monitor.health().state());
        Fixtures.await("child gone", WAIT, () -> ProcessHandle.of(child).map(h -> !h.isAlive()).orElse(true));
        assertEquals(1, resyncs.size());
        assertEquals(0, monitor.health().restarts());
        monitor = null;
    }

    private static boolean pidFileComplete(Path pidFile) {
        try {
            return Files.readString(pidFile).endsWith("\n");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    public void stopDuringBackoffReturnsAtOnce() throws Exception {
        monitor = monitor(script("exit 1"), 60_000, 60_000).start();
        Fixtures.await("RESTARTING", WAIT, () -> monitor.health().state() == State.RESTARTING);
        assertTrue(monitor.health().detail(), monitor.health().detail().contains("restarting in 60 s"));

        long t0 = System.nanoTime();
        monitor.stop();
        assertTrue((System.nanoTime() - t0) / 1_000_000 < STOP.toMillis());
        assertEquals(State.STOPPED, monitor.health().state());
        assertFalse(monitor.health().detail().contains("restarting"));
        monitor = null;
    }
}
