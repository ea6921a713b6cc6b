package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.junit.After;
import org.junit.Test;

/**
 * The runtime as a process ({@code java -jar autoweave.jar}) operated over SSH only: failed passwords are paced but a
 * correct one still gets in, and {@code stop 0} typed there stops the runtime cleanly (exit status 0).
 */
public class ConsoleStopIT {

    private static final String PASSWORD = "console-stop-it-" + Long.toHexString(System.nanoTime());
    private Path data;
    private Process process;

    @After
    public void tearDown() throws Exception {
        if (process != null) {
            process.destroyForcibly();
        }
        RuntimeHarness.deleteTree(data);
    }

    @Test
    public void pacedLoginsStillAdmitTheRightPasswordAndStop0OverSshStopsTheProcessCleanly() throws Exception {
        data = Files.createTempDirectory("autoweave-console-stop-it");
        int http = RuntimeHarness.freePort();
        int sshPort = RuntimeHarness.freePort();
        Files.createDirectories(data.resolve("etc"));
        // 6 failures a minute: past them, one answer every 10 s
        Files.writeString(data.resolve("etc/io.autoweave.ssh.cfg"), "port=" + sshPort
                + "\nauth.failures.per.minute=6\n");
        ProcessBuilder pb = new ProcessBuilder(ExecutableJarIT.java17(), "-jar", ExecutableJarIT.jar(), "--data",
                data.toString(), "--http-port", Integer.toString(http)).redirectErrorStream(true);
        pb.environment().put("AUTOWEAVE_ADMIN_PASSWORD", PASSWORD);
        process = pb.start();
        ProcessOutput output = ProcessOutput.collect(process);
        RuntimeHarness.await("the ready line; output so far:\n" + output.text(), 120,
                () -> output.text().contains("AutoWeave ready") || !process.isAlive());
        assertTrue("the runtime died before ready:\n" + output.text(), process.isAlive());

        try (SshClients ssh = new SshClients()) {
            for (int i = 0; i < 7; i++) {
                try (ClientSession s = ssh.password(sshPort, "wrong-" + i)) {
                    fail("a wrong password logged in");
                } catch (SshException expected) {
                    // refused; the 7th is the first past the allowance and still answered at once
                }
            }
            long t0 = System.nanoTime();
            try (ClientSession s = ssh.password(sshPort, PASSWORD)) {
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue("the right password after 7 failures waits its turn (about 10 s), waited " + waited + " ms",
                        waited >= 5_000);
                SshClients.Result r;
                try {
                    r = SshClients.exec(s, "stop 0");
                    assertTrue("felix:stop answered without error: " + r, r.status() == null || r.status() == 0);
                } catch (java.io.IOException closing) {
                    // the framework may close the console before the exit status travels back
                }
            }
        }
        assertTrue("the process ended after stop 0:\n" + output.text(), process.waitFor(60, TimeUnit.SECONDS));
        assertEquals("exit status of a clean stop; output:\n" + output.text(), 0, process.exitValue());
        assertTrue(output.text(), output.text().contains("io.autoweave.launcher - stopped"));
        String audit = Files.readString(data.resolve("security/audit.jsonl"));
        assertTrue(audit, audit.contains("\"decision\":\"login-failed\"") && audit.contains("\"decision\":\"login\""));
    }
}
