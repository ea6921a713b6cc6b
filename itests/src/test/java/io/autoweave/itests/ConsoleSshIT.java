package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.Bundle;

import io.autoweave.commons.json.JsonParser;

/**
 * The SSH console of a running runtime, through Apache SSHD's client: password and key logins, refusals, audit,
 * machine-readable output, Ctrl-C in a pty, and no telnet daemon anywhere.
 */
public class ConsoleSshIT {

    private static final int SSH_PORT = freePortOrFail();

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness().config("io.autoweave.ssh.cfg",
            "port=" + SSH_PORT + "\n");

    private static SshClients ssh;

    @BeforeClass
    public static void client() throws Exception {
        ssh = new SshClients();
        RuntimeHarness.await("the SSH console listening on " + SSH_PORT, 60, () -> {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", SSH_PORT)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    @AfterClass
    public static void closeClient() throws IOException {
        ssh.close();
    }

    private static int freePortOrFail() {
        try {
            return RuntimeHarness.freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    public void passwordLoginRunsDevicesAsJsonAndPresentsTheKeptHostKey() throws Exception {
        try (ClientSession s = ssh.password(SSH_PORT, RuntimeHarness.ADMIN_PASSWORD)) {
            SshClients.Result sim = SshClients.exec(s, "aw:simulate attach 046d:c52b SSH-1 7-1");
            assertEquals(sim.err(), Integer.valueOf(0), sim.status());
            SshClients.Result r = SshClients.exec(s, "aw:devices --json");
            assertEquals(r.err(), Integer.valueOf(0), r.status());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> devices = (List<Map<String, Object>>) ((Map<String, Object>) JsonParser
                    .parse(r.out().trim())).get("devices");
            assertTrue(r.out(), devices.stream().anyMatch(d -> "SSH-1".equals(d.get("serial_number"))
                    && "046d".equals(d.get("vendor_id")) && "7-1".equals(d.get("port_path"))));
        }
        Path hostKey = RUNTIME.dataDir().resolve("security/ssh_host_key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(hostKey)));
        KeyPair kept = new SimpleGeneratorHostKeyProvider(hostKey).loadKeys(null).iterator().next();
        assertTrue("the server presents the key kept in " + hostKey,
                KeyUtils.compareKeys(kept.getPublic(), ssh.hostKey.get()));
        awaitAudit("\"decision\":\"login\"", "\"rule\":\"ssh:password\"");
    }

    @Test
    public void keyListedInAuthorizedKeysLogsInAndAnUnlistedKeyIsRefused() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair listed = g.generateKeyPair();
        KeyPair stranger = g.generateKeyPair();
        Path keys = RUNTIME.dataDir().resolve("security/authorized_keys");
        Files.writeString(keys, PublicKeyEntry.toString(listed.getPublic()) + " itest\n");
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        try (ClientSession s = ssh.key(SSH_PORT, listed)) {
            SshClients.Result r = SshClients.exec(s, "echo key-works");
            assertEquals("key-works", r.out().trim());
        }
        awaitAudit("\"rule\":\"ssh:publickey\"", "session opened with key " + KeyUtils.getFingerPrint(listed.getPublic()));
        try (ClientSession s = ssh.key(SSH_PORT, stranger)) {
            fail("a key not in authorized_keys logged in");
        } catch (SshException expected) {
            // refused
        }
        awaitAudit("\"decision\":\"login-failed\"", "\"rule\":\"ssh:publickey\"");
    }

    @Test
    public void wrongPasswordIsRefusedAndAudited() throws Exception {
        try (ClientSession s = ssh.password(SSH_PORT, "not-" + RuntimeHarness.ADMIN_PASSWORD)) {
            fail("a wrong password logged in");
        } catch (SshException expected) {
            // refused
        }
        awaitAudit("\"decision\":\"login-failed\"", "\"subject\":\"ssh:admin@127.0.0.1\"", "\"rule\":\"ssh:password\"");
    }

    @Test
    public void helpListsTheAwScopeWithArgumentsStopIsFelixsAndThereIsNoTelnetd() throws Exception {
        try (ClientSession s = ssh.password(SSH_PORT, RuntimeHarness.ADMIN_PASSWORD)) {
            String help = SshClients.exec(s, "help aw").out();
            assertTrue(help, help.contains("aw:policy-reload") && help.contains("aw:devices [--json]")
                    && help.contains("aw:watch [-n|--count COUNT] [-t|--seconds SECONDS]"));
            String stop = SshClients.exec(s, "type stop").out();
            assertTrue("plain 'stop' is Felix's, not aw:stop: " + stop, stop.contains("felix:stop"));
            SshClients.Result telnetd = SshClients.exec(s, "telnetd --ip=127.0.0.1 --port=1 start");
            assertEquals(Integer.valueOf(1), telnetd.status());
            assertTrue(telnetd.err(), telnetd.err().contains("Command not found: telnetd"));
        }
        for (Bundle b : RUNTIME.context().getBundles()) {
            assertFalse("gogo.shell carries telnetd: " + b.getLocation(),
                    "org.apache.felix.gogo.shell".equals(b.getSymbolicName()));
            if ("org.apache.felix.gogo.jline".equals(b.getSymbolicName())) {
                assertTrue("gogo.jline is there for its classes; its activator (a second console) never runs",
                        b.getState() != Bundle.ACTIVE);
            }
        }
    }

    @Test
    public void ctrlCInAPtyEndsTheWatchAndNothingElse() throws Exception {
        try (ClientSession s = ssh.password(SSH_PORT, RuntimeHarness.ADMIN_PASSWORD);
                ChannelShell shell = s.createShellChannel()) {
            ByteArrayOutputStream screen = new ByteArrayOutputStream();
            shell.setOut(screen);
            shell.setErr(screen);
            shell.open().verify(20, TimeUnit.SECONDS);
            OutputStream keys = shell.getInvertedIn();
            RuntimeHarness.await("the prompt; screen:\n" + text(screen), 30, () -> text(screen).contains("aw> "));
            type(keys, "aw:watch -t 300\r");
            RuntimeHarness.await("the watch running; screen:\n" + text(screen), 30,
                    () -> text(screen).contains("watching from event"));
            long sent = System.nanoTime();
            keys.write(3); // Ctrl-C, as a terminal sends it
            keys.flush();
            type(keys, "aw:devices --json\r");
            RuntimeHarness.await("the next command's answer after Ctrl-C; screen:\n" + text(screen), 60,
                    () -> text(screen).contains("{\"devices\":["));
            assertTrue("the watch ended long before its 300 s", System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(90));
            assertEquals(Bundle.ACTIVE, RUNTIME.framework().getState());
            assertEquals(200, RUNTIME.get("/health/ready", null, null).status());
        }
    }

    private static void type(OutputStream keys, String text) throws IOException {
        keys.write(text.getBytes(StandardCharsets.UTF_8));
        keys.flush();
    }

    private static String text(ByteArrayOutputStream screen) {
        return screen.toString(StandardCharsets.UTF_8);
    }

    private static void awaitAudit(String... parts) throws InterruptedException {
        Path audit = RUNTIME.dataDir().resolve("security/audit.jsonl");
        RuntimeHarness.await("an audit record with " + List.of(parts), 20, () -> {
            try {
                for (String line : Files.readAllLines(audit)) {
                    if (List.of(parts).stream().allMatch(line::contains)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
    }
}
