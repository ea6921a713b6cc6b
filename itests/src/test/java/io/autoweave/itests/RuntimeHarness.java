package io.autoweave.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.rules.ExternalResource;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

import io.autoweave.launcher.LaunchConfig;
import io.autoweave.launcher.Launcher;

/**
 * Boots the real runtime in this JVM through the production {@link Launcher}: same bundle set, same policy,
 * framework security on. Use as a JUnit {@code @ClassRule}.
 */
public final class RuntimeHarness extends ExternalResource {

    /** Password the harness configures (as a salted hash in the auth configuration file). */
    public static final String ADMIN_PASSWORD = "itest-admin-pw-" + Long.toHexString(System.nanoTime());

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final java.util.Map<String, String> configFiles = new java.util.LinkedHashMap<>();
    private Path dataDir;
    private Path policyDir;
    private Launcher launcher;
    private int port;

    /** A configuration file ({@code NAME.cfg} content) placed in DATA/etc before the runtime starts. */
    public RuntimeHarness config(String fileName, String content) {
        configFiles.put(fileName, content);
        return this;
    }

    /** Something done to the data directory before the runtime starts (a mount, say), and its undoing after it stopped. */
    public interface DataDirHook {
        void run(Path dataDir) throws Exception;
    }

    private DataDirHook beforeStart = d -> { };
    private DataDirHook afterStop = d -> { };

    /** Runs {@code before} on the fresh data directory before the runtime starts, {@code after} once it stopped. */
    public RuntimeHarness dataDirHooks(DataDirHook before, DataDirHook after) {
        this.beforeStart = before;
        this.afterStop = after;
        return this;
    }

    /** Starts with this policy directory ({@code --policies}) instead of the policy built into the jar. */
    public RuntimeHarness policies(Path dir) {
        this.policyDir = dir;
        return this;
    }

    /**
     * A fresh policy directory holding the project's {@code security-policies/*.policy} plus {@code extra} files
     * (name → content), for tests that need rows of their own.
     */
    public static Path policyDir(java.util.Map<String, String> extra) {
        try {
            Path dir = Files.createTempDirectory("autoweave-policies");
            try (var files = Files.list(Path.of(System.getProperty("autoweave.policies", "../security-policies")))) {
                for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".policy"))::iterator) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
            for (var e : extra.entrySet()) {
                Files.writeString(dir.resolve(e.getKey()), e.getValue());
            }
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void before() throws Throwable {
        dataDir = Files.createTempDirectory("autoweave-itest");
        port = freePort();
        Files.createDirectories(dataDir.resolve("etc"));
        // a test's own io.autoweave.auth.cfg lines are added to the administrator's credentials
        Files.writeString(dataDir.resolve("etc/io.autoweave.auth.cfg"),
                "admin.user=admin\nadmin.password.hash=" + PasswordHashes.pbkdf2(ADMIN_PASSWORD) + "\n"
                        + configFiles.getOrDefault("io.autoweave.auth.cfg", ""));
        for (var e : configFiles.entrySet()) {
            if (e.getKey().equals("io.autoweave.auth.cfg")) {
                continue;
            }
            Files.writeString(dataDir.resolve("etc").resolve(e.getKey()), e.getValue());
        }
        beforeStart.run(dataDir);
        LaunchConfig config = LaunchConfig.builder().dataDir(dataDir).httpPort(port).readyTimeoutMillis(90_000)
                .policyDir(policyDir).build();
        PrintStream tee = new PrintStream(new TeeStream(System.out, console), true, StandardCharsets.UTF_8);
        launcher = new Launcher(config, tee);
        launcher.start();
    }

    @Override
    protected void after() {
        try {
            if (launcher != null) {
                launcher.stop(30_000);
            }
            try {
                afterStop.run(dataDir);
            } catch (Exception e) {
                System.err.println("itest: undoing the data directory hook failed: " + e);
            }
            deleteTree(dataDir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // a leftover temp dir is not a test failure
        }
    }

    public Framework framework() {
        return launcher.framework();
    }

    public BundleContext context() {
        return launcher.framework().getBundleContext();
    }

    public Launcher launcher() {
        return launcher;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** DATA/log/autoweave.log as it is now (empty before the logging system wrote anything). */
    public String logText() {
        try {
            Path log = launcher.logDir().resolve("autoweave.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What the launcher printed so far. */
    public String consoleText() {
        return console.toString(StandardCharsets.UTF_8);
    }

    /** Names of the ConditionalPermissionAdmin rows in table order (read reflectively: the API is inside the framework). */
    public List<String> policyRowNames() throws Exception {
        ServiceReference<?> ref = context().getServiceReference("org.osgi.service.condpermadmin.ConditionalPermissionAdmin");
        Object cpa = context().getService(ref);
        try {
            ClassLoader api = cpa.getClass().getClassLoader();
            Class<?> cpaType = Class.forName("org.osgi.service.condpermadmin.ConditionalPermissionAdmin", false, api);
            Class<?> infoType = Class.forName("org.osgi.service.condpermadmin.ConditionalPermissionInfo", false, api);
            Object update = cpaType.getMethod("newConditionalPermissionUpdate").invoke(cpa);
            List<?> infos = (List<?>) update.getClass().getInterfaces()[0].getMethod("getConditionalPermissionInfos")
                    .invoke(update);
            Method getName = infoType.getMethod("getName");
            List<String> names = new ArrayList<>();
            for (Object info : infos) {
                names.add((String) getName.invoke(info));
            }
            return names;
        } finally {
            context().ungetService(ref);
        }
    }

    /** An HTTP GET answer. */
    public record Response(int status, String body) {
    }

    public Response get(String path, String user, String password) throws IOException {
        return http(baseUrl() + path, user, password);
    }

    public static Response http(String url, String user, String password) throws IOException {
        return request("GET", url, user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)), null);
    }

    /** Any request; {@code authorization} is the header value or null, {@code body} null for none. */
    public static Response request(String method, String url, String authorization, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(5000);
        c.setReadTimeout(20000);
        c.setInstanceFollowRedirects(false);
        if (authorization != null) {
            c.setRequestProperty("Authorization", authorization);
        }
        if (body != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        return new Response(status, answer);
    }

    /** Builds a bundle jar holding {@code classes} (compiled test classes) with the given manifest headers. */
    public static byte[] bundle(String symbolicName, String[][] headers, Class<?>... classes) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", "1.0.0");
        for (String[] h : headers) {
            a.putValue(h[0], h[1]);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, mf)) {
            for (Class<?> c : classes) {
                String name = c.getName().replace('.', '/') + ".class";
                jar.putNextEntry(new JarEntry(name));
                try (InputStream in = c.getClassLoader().getResourceAsStream(name)) {
                    in.transferTo(jar);
                }
                jar.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /**
     * Installs and starts {@link io.autoweave.itests.probe.SinkLoadProbe} at the core location {@code name}: it reports
     * simulated devices to the pipeline's DeviceReportSink as fast as a test asks.
     */
    public static org.osgi.framework.Bundle installSinkLoadProbe(BundleContext context, String name)
            throws Exception {
        Class<?> probe = io.autoweave.itests.probe.SinkLoadProbe.class;
        byte[] jar = bundle("itest.sink.probe", new String[][] {
                { "Import-Package", "org.osgi.framework;version=\"[1.8,2)\",io.autoweave.api.device;version=\"[1.2,2)\","
                        + "io.autoweave.api.source;version=\"[1.0,2)\",io.autoweave.api.stream;version=\"[1.0,2)\"" },
                { "Bundle-Activator", probe.getName() } }, probe);
        org.osgi.framework.Bundle bundle = context.installBundle(
                io.autoweave.launcher.Launcher.CORE_LOCATION_PREFIX + name, new java.io.ByteArrayInputStream(jar));
        bundle.start();
        return bundle;
    }

    /** Waits for {@code condition}, failing with {@code what} after {@code seconds}. */
    public static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
