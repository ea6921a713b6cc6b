package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.junit.ClassRule;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.Parameterized;
import org.junit.runners.Parameterized.Parameters;
import org.osgi.framework.AllServiceListener;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * Every converted component configuration keeps its last good configuration: a bad value written to the watched
 * {@code DATA/etc/PID.cfg} is refused with PID, key, value and reason; the component's service is never unregistered;
 * what it does keeps working on the old values; the refusal shows in {@code aw:health}, {@code /api/v1/status} and
 * {@code /metrics}; a good file afterwards is applied and clears the error. One runtime for all cases.
 */
@RunWith(Parameterized.class)
public class LastGoodConfigurationIT {

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    /** One configuration: its file, a refused line, a good line, the service that must stay, a use that must work. */
    record Case(String pid, String badLine, String key, String badValue, String goodLine, String service,
            String usePath, String filter, String file, String initial) {
        Case(String pid, String badLine, String key, String badValue, String goodLine, String service,
                String usePath, String filter) {
            this(pid, badLine, key, badValue, goodLine, service, usePath, filter, pid + ".cfg", null);
        }

        Case(String pid, String badLine, String key, String badValue, String goodLine, String service,
                String usePath) {
            this(pid, badLine, key, badValue, goodLine, service, usePath, null);
        }

        /** For a component that offers no service of its own: its configuration status, there while it is active. */
        static Case status(String pid, String badLine, String key, String badValue, String goodLine, String usePath) {
            return new Case(pid, badLine, key, badValue, goodLine, STATUS, usePath, "(" + STATUS_PID + "=" + pid + ")");
        }

        @Override
        public String toString() {
            return pid + " " + badLine;
        }
    }

    static final String STATUS = "io.autoweave.commons.config.ConfigurationStatus";
    static final String STATUS_PID = "autoweave.config.pid";

    @Parameters(name = "{0}")
    public static Collection<Object[]> cases() {
        List<Object[]> list = new ArrayList<>();
        for (Case c : new Case[] {
                new Case("io.autoweave.http", "max.request.bytes=-1", "max.request.bytes", "-1",
                        "max.request.bytes=2000000", "org.osgi.service.servlet.context.ServletContextHelper",
                        "/api/v1/status"),
                new Case("io.autoweave.auth", "failures.per.minute=abc", "failures.per.minute", "abc",
                        "failures.per.minute=20", "io.autoweave.auth.Authenticator", "/system/console/aw-devices"),
                new Case("io.autoweave.webconsole", "audit.rows=0", "audit.rows", "0", "audit.rows=50",
                        "io.autoweave.webconsole.internal.DeviceFeed", "/system/console/aw-security"),
                new Case("io.autoweave.security", "repeat.window.millis=soon", "repeat.window.millis", "soon",
                        "repeat.window.millis=1000", "io.autoweave.security.SecurityMonitor", "/api/v1/security"),
                new Case("io.autoweave.security.policy", "settle.millis=1", "settle.millis", "1", "settle.millis=300",
                        "io.autoweave.security.internal.PolicyManager", "/api/v1/status"),
                new Case("io.autoweave.resources", "sample.millis=5", "sample.millis", "5", "sample.millis=300",
                        "io.autoweave.resources.internal.ResourceEnforcer", "/metrics"),
                new Case("io.autoweave.http.events", "heartbeat.seconds=0", "heartbeat.seconds", "0",
                        "heartbeat.seconds=20", "jakarta.servlet.Servlet", "/api/v1/events?limit=1",
                        "(osgi.http.whiteboard.servlet.pattern=/api/v1/events)"),
                new Case("io.autoweave.redis", "batch.max=-1", "batch.max", "-1", "batch.max=128",
                        "io.autoweave.redis.internal.RedisSinkComponent", "/metrics"),
                new Case("io.autoweave.eventlog", "retention.hours=-1", "retention.hours", "-1",
                        "retention.hours=100", "io.autoweave.api.log.EventLog", "/api/v1/events?limit=1"),
                new Case("io.autoweave.usb.pipeline", "merge.window.ms=abc", "merge.window.ms", "abc",
                        "merge.window.ms=1000", "io.autoweave.api.device.DeviceRegistry", "/api/v1/devices"),
                new Case("io.autoweave.plugin.installer", "download.timeout.seconds=0", "download.timeout.seconds",
                        "0", "download.timeout.seconds=60", "io.autoweave.plugin.installer.PluginInstaller",
                        "/api/v1/plugins"),
                Case.status("io.autoweave.plugin.dropfolder", "poll.millis=5", "poll.millis", "5",
                        "poll.millis=3000", "/health/ready"),
                Case.status("io.autoweave.ssh", "port=0", "port", "0", "idle.timeout.minutes=30", "/health/ready"),
                Case.status("io.autoweave.usb.sysfs", "scan.interval.s=-1", "scan.interval.s", "-1",
                        "scan.interval.s=60", "/api/v1/sources"),
                Case.status("io.autoweave.usb.udev", "restart.backoff.initial.ms=1", "restart.backoff.initial.ms", "1",
                        "restart.backoff.initial.ms=600", "/api/v1/sources"),
                Case.status("io.autoweave.usb.libusb", "divergence.check.ms=5", "divergence.check.ms", "5",
                        "divergence.check.ms=5000", "/api/v1/sources"),
                // a factory configuration: a subscription that first runs, then gets a bad URL
                new Case("io.autoweave.webhooks.subscription~it", "url=ftp://example", "url", "ftp://example",
                        "url=http://127.0.0.1:9/other", STATUS, "/health/ready",
                        "(" + STATUS_PID + "=io.autoweave.webhooks.subscription~it)",
                        "io.autoweave.webhooks.subscription-it.cfg", "url=http://127.0.0.1:9/hook\nsecret="
                                + "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32])) }) {
            list.add(new Object[] { c });
        }
        return list;
    }

    private final Case c;

    public LastGoodConfigurationIT(Case c) {
        this.c = c;
    }

    /** The component's service, whatever class space the test's own loader would see it in. */
    private ServiceReference<?> service() throws Exception {
        ServiceReference<?>[] refs = RUNTIME.context().getAllServiceReferences(c.service(), c.filter());
        return refs == null ? null : refs[0];
    }

    private static RuntimeHarness.Response admin(String path) throws Exception {
        return RUNTIME.get(path, "admin", RuntimeHarness.ADMIN_PASSWORD);
    }

    private static String health() {
        try (Gogo g = new Gogo(RUNTIME.context())) {
            return String.valueOf(g.run("aw:health"));
        } catch (Exception e) {
            return e.toString();
        }
    }

    /**
     * The DETAIL column of this case's row in the {@code configuration:} table of {@code aw:health} (PID, STATE,
     * REFUSALS, DETAIL), after checking its state and refusal count.
     */
    private String row(String health, String state, String refusals) {
        String line = health.lines().map(String::trim).filter(l -> l.startsWith(c.pid() + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + c.pid() + " in\n" + health));
        String[] cols = line.split("\\s+", 4);
        assertEquals(line, state, cols[1]);
        assertEquals(line, refusals, cols[2]);
        return cols.length > 3 ? cols[3] : "";
    }

    private static boolean call(Check check) {
        try {
            return check.get();
        } catch (Exception e) {
            return false;
        }
    }

    private interface Check {
        boolean get() throws Exception;
    }

    @Test
    public void aBadValueIsRefusedTheServiceStaysAndTheOldValueKeepsWorking() throws Exception {
        Path file = RUNTIME.dataDir().resolve("etc").resolve(c.file());
        String kept = Files.exists(file) ? Files.readString(file) : "";
        if (c.initial() != null) {
            kept = kept + c.initial() + "\n";
            Files.writeString(file, kept);
        }
        RuntimeHarness.await("the runtime ready and " + c.service() + " registered", 60, () -> call(
                () -> admin("/health/ready").status() == 200 && service() != null));
        ServiceReference<?> before = service();
        List<String> unregistered = new ArrayList<>();
        // all events, not only those of services whose classes the test's loader sees alike
        ServiceListener listener = (AllServiceListener) e -> {
            if (e.getType() == ServiceEvent.UNREGISTERING || e.getType() == ServiceEvent.MODIFIED_ENDMATCH) {
                unregistered.add(String.valueOf(e.getServiceReference().getProperty("service.id")));
            }
        };
        RUNTIME.context().addServiceListener(listener, "(&(objectClass=" + c.service() + ")"
                + (c.filter() == null ? "" : c.filter()) + ")");
        try {
            Files.writeString(file, kept + "\n" + c.badLine() + "\n");
            String metric = "autoweave_config_error{pid=\"" + c.pid() + "\"} 1";
            String[] last = { "" };
            RuntimeHarness.await("the refusal of " + c.badLine() + " in /metrics", 30, () -> call(() -> {
                last[0] = admin("/metrics").body();
                return last[0].contains(metric);
            }));
            assertTrue(last[0], last[0].contains("autoweave_config_refused_total{pid=\"" + c.pid() + "\"} 1"));

            String status = admin("/api/v1/status").body();
            assertTrue(status, status.contains("{\"pid\":\"" + c.pid() + "\",\"refusals\":1,\"state\":\"refused\","
                    + "\"key\":\"" + c.key() + "\",\"value\":\"" + c.badValue() + "\""));
            String health = health();
            assertTrue(health, row(health, "REFUSED", "1").contains(c.key() + "=" + c.badValue() + ": ")
                    && health.contains("running on the previous configuration"));

            assertEquals("the same service, never unregistered: " + unregistered, List.of(), unregistered);
            assertEquals(before.getProperty("service.id"), service().getProperty("service.id"));
            assertEquals("the old configuration keeps working", 200, admin(c.usePath()).status());
            assertEquals("ready stays UP", 200, admin("/health/ready").status());

            Files.writeString(file, kept + "\n" + c.goodLine() + "\n");
            String cleared = "autoweave_config_error{pid=\"" + c.pid() + "\"} 0";
            RuntimeHarness.await("a good value applied and the error cleared", 30, () -> call(() -> admin("/metrics")
                    .body().contains(cleared)));
            assertEquals("the same service, never unregistered: " + unregistered, List.of(), unregistered);
            String after = health();
            assertEquals(after, "", row(after, "ok", "1"));
        } finally {
            RUNTIME.context().removeServiceListener(listener);
            Files.writeString(file, kept);
        }
    }
}
