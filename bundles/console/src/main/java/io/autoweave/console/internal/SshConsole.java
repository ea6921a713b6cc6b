package io.autoweave.console.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.AsyncAuthException;
import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import io.autoweave.commons.data.DataDirectory;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.auth.Authenticator;
import io.autoweave.security.SecurityMonitor;

/**
 * The console over SSH (Apache SSHD): the administrator logs in with the password of the Web Console or with a key
 * listed in {@code DATA/security/authorized_keys}; the host key is generated at first start and kept in
 * {@code DATA/security/ssh_host_key} (mode 600). Every login, accepted or refused, goes to the audit log; failed
 * passwords are paced per address ({@link LoginPacer}). No forwarding, agent, SFTP or SCP: a shell and single
 * commands only. A configuration the server cannot use is logged and leaves the console closed, never the
 * component failed.
 */
@Component(immediate = true, configurationPid = SshConsole.PID)
@Designate(ocd = SshConfig.class)
public final class SshConsole implements SessionListener {
    static final String PID = "io.autoweave.ssh";
    private static final System.Logger LOG = System.getLogger(SshConsole.class.getName());
    private static final AttributeKey<String> METHOD = new AttributeKey<>();
    private static final AttributeKey<Boolean> KEY_REFUSED = new AttributeKey<>();
    /** The user name a refused key was offered for: SSHD sets the session's user name only once it is authenticated. */
    private static final AttributeKey<String> KEY_USER = new AttributeKey<>();
    private static final AttributeKey<Boolean> PASSWORD_FAILED = new AttributeKey<>();

    private final ConsoleSupport support;
    private final CommandProcessor processor;
    private final Authenticator authenticator;
    private final Path security;
    private final ScheduledExecutorService pacing = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "autoweave-ssh-login-pacing");
        t.setDaemon(true);
        return t;
    });

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile SecurityMonitor monitor;

    private final LastGoodConfig<SshConfig, SshConfig> lastGood = new LastGoodConfig<>(PID, SshConfig.class,
            SshConsole::check);
    private final LastGoodConfig.Runner<SshConfig> runner = LastGoodConfig.Runner.of(this::start, this::stop);
    private SshServer server;
    private volatile LoginPacer pacer;
    private volatile AuthorizedKeysAuthenticator keys;

    @Activate
    public SshConsole(BundleContext context, @Reference ConsoleSupport support, @Reference CommandProcessor processor,
            @Reference Authenticator authenticator, SshConfig config, Map<String, Object> properties) {
        this.support = support;
        this.processor = processor;
        this.authenticator = authenticator;
        this.security = DataDirectory.orElse(context, Path.of(".")).resolve("security");
        lastGood.run(context, config, properties, runner);
    }

    /** A refused change keeps the console listening as it is; an accepted one restarts the listener with it. */
    @Modified
    synchronized void modified(SshConfig config, Map<String, Object> properties) {
        lastGood.restart(config, properties, runner);
    }

    @Deactivate
    synchronized void deactivate() {
        lastGood.stop(runner);
        pacing.shutdownNow();
    }

    /** Where the console listens, or null while it is closed. */
    synchronized InetSocketAddress address() {
        if (server == null || !server.isStarted()) {
            return null;
        }
        return new InetSocketAddress(server.getHost(), server.getPort());
    }

    private synchronized void start(SshConfig config) {
        if (!config.enabled()) {
            LOG.log(System.Logger.Level.INFO, "SSH console disabled (enabled=false in " + PID + ")");
            return;
        }
        pacer = new LoginPacer(config.auth_failures_per_minute(), System::nanoTime);
        // SSHD loads its default factories through the context class loader: it must be SSHD's own, also while the
        // server is built (a launcher embedding the runtime may have another copy of SSHD on its class path)
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(SshServer.class.getClassLoader());
        SshServer s = null;
        try {
            s = SshServer.setUpDefaultServer();
            s.setHost(config.host());
            s.setPort(config.port());
            Files.createDirectories(security);
            s.setKeyPairProvider(hostKeys(security.resolve("ssh_host_key")));
            keys = new AuthorizedKeysAuthenticator(security.resolve("authorized_keys"));
            s.setPasswordAuthenticator(this::password);
            s.setPublickeyAuthenticator(this::publicKey);
            // password and publickey only: keyboard-interactive would be a second door to the same password
            s.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE, UserAuthPasswordFactory.INSTANCE));
            s.setKeyboardInteractiveAuthenticator(null);
            s.setGSSAuthenticator(null);
            s.setHostBasedAuthenticator(null);
            s.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
            s.setAgentFactory(null);
            s.setSubsystemFactories(List.of());
            s.setShellFactory(channel -> new SshShell(support.shell()));
            s.setCommandFactory((channel, line) -> new SshExec(processor, line));
            if (config.idle_timeout_minutes() > 0) {
                CoreModuleProperties.IDLE_TIMEOUT.set(s, Duration.ofMinutes(config.idle_timeout_minutes()));
            }
            CoreModuleProperties.MAX_AUTH_REQUESTS.set(s, 6);
            s.addSessionListener(this);
            s.start();
            server = s;
            LOG.log(System.Logger.Level.INFO, "SSH console listening on " + config.host() + ":" + s.getPort());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "SSH console could not listen on " + config.host() + ":"
                    + config.port() + ": " + e + " (choose another host or port in DATA/etc/" + PID + ".cfg)");
            closeQuietly(s);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /** The configuration when every value is usable, else a refusal naming the key. */
    static SshConfig check(SshConfig config) {
        ConfigRefusal.range("port", config.port(), 1, 65535);
        ConfigRefusal.notBlank("host", config.host());
        ConfigRefusal.atLeast("auth.failures.per.minute", config.auth_failures_per_minute(), 1);
        ConfigRefusal.atLeast("idle.timeout.minutes", config.idle_timeout_minutes(), 0);
        return config;
    }

    /** What is wrong with the configuration, or null. */
    static String validate(SshConfig config) {
        try {
            check(config);
            return null;
        } catch (ConfigRefusal r) {
            return r.getMessage();
        }
    }

    /** The host key: generated at first start, kept across restarts, readable by the runtime's user only. */
    static SimpleGeneratorHostKeyProvider hostKeys(Path file) throws IOException {
        SimpleGeneratorHostKeyProvider p = new SimpleGeneratorHostKeyProvider(file);
        p.setAlgorithm(KeyUtils.EC_ALGORITHM);
        p.setKeySize(256);
        // generate (or read) it now, not at the first connection, so it exists with its permissions from the start
        p.loadKeys(null);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's protection is all there is
        }
        return p;
    }

    private synchronized void stop() {
        closeQuietly(server);
        server = null;
    }

    private static void closeQuietly(SshServer s) {
        if (s != null) {
            try {
                s.stop(true);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "SSH console did not close cleanly", e);
            }
        }
    }

    boolean password(String user, String password, ServerSession session) {
        String client = client(session);
        LoginPacer p = pacer;
        long wait = p.turn(client);
        if (wait < 0) {
            audit("login-refused", subject(user, session), "ssh:pacing",
                    "too many login attempts from " + client + " waiting; connection closed unchecked");
            session.close(true);
            return false;
        }
        if (wait == 0) {
            return check(user, password, session, client);
        }
        AsyncAuthException later = new AsyncAuthException();
        pacing.schedule(() -> {
            try {
                later.setAuthed(check(user, password, session, client));
            } finally {
                p.done(client);
            }
        }, wait, TimeUnit.NANOSECONDS);
        throw later;
    }

    private boolean check(String user, String password, ServerSession session, String client) {
        char[] pw = password.toCharArray();
        Optional<String> who;
        try {
            who = authenticator.authenticate(user, pw);
        } finally {
            java.util.Arrays.fill(pw, '\0');
        }
        if (who.isPresent()) {
            session.setAttribute(METHOD, "password");
            return true;
        }
        pacer.failed(client);
        session.setAttribute(PASSWORD_FAILED, Boolean.TRUE);
        audit("login-failed", subject(user, session), "ssh:password", "wrong user name or password");
        return false;
    }

    boolean publicKey(String user, PublicKey key, ServerSession session) {
        Path file = security.resolve("authorized_keys");
        String unsafe = unsafe(file);
        if (unsafe != null) {
            LOG.log(System.Logger.Level.WARNING, "SSH keys not accepted: " + unsafe);
        }
        boolean ok = unsafe == null && keys != null && keys.authenticate(user, key, session);
        if (ok) {
            session.setAttribute(METHOD, "publickey " + KeyUtils.getFingerPrint(key));
        } else {
            session.setAttribute(KEY_REFUSED, Boolean.TRUE);
            session.setAttribute(KEY_USER, user);
        }
        return ok;
    }

    /**
     * Why the authorized keys file must not be trusted (anyone but the runtime's user may change it, as OpenSSH's
     * StrictModes sees it), or null when it may.
     */
    static String unsafe(Path file) {
        try {
            if (!Files.exists(file)) {
                return null;
            }
            var perms = Files.getPosixFilePermissions(file);
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                return file + " may be written by others (" + PosixFilePermissions.toString(perms)
                        + "); chmod 600 it";
            }
            return null;
        } catch (UnsupportedOperationException e) {
            return null;
        } catch (IOException e) {
            return "cannot read the permissions of " + file + ": " + e.getMessage();
        }
    }

    @Override
    public void sessionEvent(Session session, Event event) {
        if (event == Event.Authenticated) {
            String method = session.getAttribute(METHOD);
            audit("login", subject(session.getUsername(), session), "ssh:" + (method == null ? "?" : method.split(" ")[0]),
                    "session opened" + (method != null && method.startsWith("publickey ") ? " with key "
                            + method.substring(10) : ""));
        }
    }

    @Override
    public void sessionClosed(Session session) {
        String user = session.getAttribute(KEY_USER);
        if (session.isAuthenticated() || user == null) {
            return;
        }
        if (Boolean.TRUE.equals(session.getAttribute(KEY_REFUSED))
                && !Boolean.TRUE.equals(session.getAttribute(PASSWORD_FAILED))) {
            LoginPacer p = pacer;
            if (p != null) {
                p.failed(client(session));
            }
            audit("login-failed", subject(user, session), "ssh:publickey",
                    "no offered key is in " + security.resolve("authorized_keys"));
        }
    }

    private void audit(String decision, String subject, String rule, String detail) {
        SecurityMonitor m = monitor;
        if (m != null) {
            try {
                m.audit(decision, subject, rule, detail);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "audit log write failed for " + decision + " " + subject, e);
            }
        } else {
            LOG.log(System.Logger.Level.WARNING, decision + " " + subject + " " + rule + ": " + detail
                    + " (security monitor not available for the audit log)");
        }
    }

    private static String subject(String user, Session session) {
        return "ssh:" + user + "@" + client(session);
    }

    private static String client(Session session) {
        SocketAddress a = session.getIoSession().getRemoteAddress();
        if (a instanceof InetSocketAddress i) {
            return i.getAddress() == null ? i.getHostString() : i.getAddress().getHostAddress();
        }
        return String.valueOf(a);
    }
}
