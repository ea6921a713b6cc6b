package io.autoweave.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;

/** Apache SSHD's client as the tests use it against the runtime's SSH console. */
final class SshClients implements AutoCloseable {
    final SshClient client = SshClient.setUpDefaultClient();
    /** The host key the server presented last. */
    final AtomicReference<PublicKey> hostKey = new AtomicReference<>();

    SshClients() {
        client.setServerKeyVerifier((session, address, key) -> {
            hostKey.set(key);
            return true;
        });
        // never the keys of the user running the tests
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.start();
    }

    ClientSession connect(int port) throws IOException {
        return client.connect("admin", "127.0.0.1", port).verify(20, TimeUnit.SECONDS).getSession();
    }

    ClientSession password(int port, String password) throws IOException {
        ClientSession s = connect(port);
        s.addPasswordIdentity(password);
        return authenticated(s);
    }

    ClientSession key(int port, KeyPair key) throws IOException {
        ClientSession s = connect(port);
        s.addPublicKeyIdentity(key);
        return authenticated(s);
    }

    /** The session once authenticated; a refused one is closed at once, as a real client hangs up. */
    private static ClientSession authenticated(ClientSession s) throws IOException {
        try {
            s.auth().verify(60, TimeUnit.SECONDS);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close(true);
            throw e;
        }
    }

    /** One command over an exec channel: its exit status, standard output and standard error. */
    record Result(Integer status, String out, String err) {
    }

    static Result exec(ClientSession s, String command) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec ch = s.createExecChannel(command)) {
            ch.setOut(out);
            ch.setErr(err);
            ch.open().verify(20, TimeUnit.SECONDS);
            ch.waitFor(java.util.EnumSet.of(ClientChannelEvent.CLOSED), TimeUnit.SECONDS.toMillis(60));
            return new Result(ch.getExitStatus(), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        client.stop();
    }
}
