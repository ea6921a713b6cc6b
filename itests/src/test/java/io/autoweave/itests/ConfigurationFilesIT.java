package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Dictionary;

import org.junit.ClassRule;
import org.junit.Test;
import org.osgi.framework.ServiceReference;

/**
 * The files in DATA/etc are the operator's: a configuration saved through Configuration Admin (what the Web
 * Console's configuration page does, with typed values) applies at once but never rewrites the file (File Install's
 * write-back used to drop every comment and write {@code key = L"100"}); the next edit of the file wins again.
 */
public class ConfigurationFilesIT {

    @ClassRule
    public static final RuntimeHarness RUNTIME = new RuntimeHarness();

    private static final String FILE = "# the operator's notes\n# stay here\nmax.request.bytes=4096\n";

    @Test
    public void aConsoleSaveAppliesButLeavesTheOperatorsFileAsWritten() throws Exception {
        Path cfg = RUNTIME.dataDir().resolve("etc/io.autoweave.http.cfg");
        Files.writeString(cfg, FILE);
        awaitLimit(4096);

        Dictionary<String, Object> props = configuration("getProperties");
        assertNotNull(props);
        props.put("max.request.bytes", 100L); // typed, as the Web Console saves it
        configurationUpdate(props);
        awaitLimit(100);
        assertEquals("the file is untouched: comments kept, no typed values", FILE, Files.readString(cfg));

        Files.writeString(cfg, FILE.replace("4096", "2048"));
        awaitLimit(2048);
    }

    /** Waits until a body just over {@code limit} bytes is refused with 413 and one just under is not. */
    private static void awaitLimit(int limit) throws InterruptedException {
        String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + RuntimeHarness.ADMIN_PASSWORD).getBytes());
        RuntimeHarness.await("max.request.bytes=" + limit + " in force", 30, () -> {
            try {
                int over = RuntimeHarness.request("POST", RUNTIME.baseUrl() + "/api/v1/tokens", auth,
                        "x".repeat(limit + 1)).status();
                int under = RuntimeHarness.request("POST", RUNTIME.baseUrl() + "/api/v1/tokens", auth,
                        "x".repeat(limit - 1)).status();
                return over == 413 && under == 400; // 400: not JSON, but past the size check
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Dictionary<String, Object> configuration(String method) throws Exception {
        Object c = config();
        return (Dictionary<String, Object>) configurationType(c).getMethod(method).invoke(c);
    }

    private static void configurationUpdate(Dictionary<String, Object> props) throws Exception {
        Object c = config();
        configurationType(c).getMethod("update", Dictionary.class).invoke(c, props);
    }

    private static Class<?> configurationType(Object c) throws ClassNotFoundException {
        return Class.forName("org.osgi.service.cm.Configuration", false, c.getClass().getClassLoader());
    }

    /** Configuration Admin lives inside the framework: reached reflectively. */
    private static Object config() throws Exception {
        ServiceReference<?>[] refs = RUNTIME.context().getAllServiceReferences("org.osgi.service.cm.ConfigurationAdmin",
                null);
        Object ca = RUNTIME.context().getService(refs[0]);
        Class<?> type = Class.forName("org.osgi.service.cm.ConfigurationAdmin", false, ca.getClass().getClassLoader());
        return type.getMethod("getConfiguration", String.class, String.class).invoke(ca, "io.autoweave.http", "?");
    }
}
