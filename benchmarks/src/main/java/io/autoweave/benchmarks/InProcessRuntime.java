package io.autoweave.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.LongUnaryOperator;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.autoweave.benchmarks.probe.BenchListener;
import io.autoweave.benchmarks.probe.DispatchProbe;
import io.autoweave.benchmarks.probe.ReportProbe;
import io.autoweave.launcher.LaunchConfig;
import io.autoweave.launcher.Launcher;
import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * The real runtime booted in this JVM through the production {@link Launcher} (same bundle set, same policy,
 * framework security on), with configuration files placed in DATA/etc first, plus helpers to reach its services.
 * Everything the runtime prints goes to {@code log}.
 */
final class InProcessRuntime implements AutoCloseable {
    static final String TRUST_PASSWORD = "bench-trust-pw";

    final Path data;
    final Launcher launcher;
    InProcessRuntime(Path data, Map<String, String> configFiles, PrintStream log) throws Exception {
        this.data = data;
        Files.createDirectories(data.resolve("etc"));
        for (var e : configFiles.entrySet()) {
            Files.writeString(data.resolve("etc").resolve(e.getKey()), e.getValue());
        }
        launcher = new Launcher(LaunchConfig.builder().dataDir(data).httpPort(Ports.free()).interactiveShell(false)
                .readyTimeoutMillis(120_000).build(), log);
        launcher.start();
    }

    BundleContext context() {
        return launcher.framework().getBundleContext();
    }

    /** Installs and starts a probe bundle at a core location (AllPermission, like the runtime's own bundles). */
    static Bundle installCore(BundleContext ctx, String name, byte[] jar) throws Exception {
        Bundle b = ctx.installBundle(Launcher.CORE_LOCATION_PREFIX + name, new ByteArrayInputStream(jar));
        b.start();
        return b;
    }

    LongUnaryOperator reportProbe() throws Exception {
        return reportProbe(context());
    }

    /** The {@link ReportProbe} (see there) installed in the runtime of {@code ctx}. */
    static LongUnaryOperator reportProbe(BundleContext ctx) throws Exception {
        installCore(ctx, "bench-report-probe", Jars.bundle("bench.report.probe", ReportProbe.class.getName(),
                Jars.API_IMPORTS, ReportProbe.class));
        return service(ctx, "(bench=report)");
    }

    LongUnaryOperator dispatchProbe() throws Exception {
        installCore(context(), "bench-dispatch-probe", Jars.bundle("bench.dispatch.probe",
                DispatchProbe.class.getName(), Jars.DISPATCH_IMPORTS, DispatchProbe.class));
        return service(context(), "(bench=dispatch)");
    }

    static LongUnaryOperator service(BundleContext ctx, String filter) throws Exception {
        ServiceReference<?>[] refs = ctx.getServiceReferences(LongUnaryOperator.class.getName(), filter);
        if (refs == null) {
            throw new IllegalStateException("no probe service " + filter);
        }
        return (LongUnaryOperator) ctx.getService(refs[0]);
    }

    /** Configuration of the installer so it trusts this run's test CA; creates that CA and a signer. */
    static String installerConfig(Path trustStore, TestSigning.Credentials ca) {
        TestSigning.trustStore(trustStore, TRUST_PASSWORD.toCharArray(), ca.certificate());
        return "trust.store.path=" + trustStore + "\n.trust.store.password=" + TRUST_PASSWORD + "\n";
    }

    static String redisConfig(int port, String stream) {
        return "endpoints=127.0.0.1:" + port + "\nstream=" + stream + "\nmaxLen=0\n";
    }

    /** The plugin jar the scenarios install: {@link BenchListener} under {@code bsn}, signed by {@code signer}. */
    static Path signedPlugin(Path dir, String bsn, TestSigning.Credentials signer) {
        Path unsigned = Jars.write(dir.resolve(bsn + "-unsigned.jar"), Jars.bundle(bsn, BenchListener.class.getName(),
                "io.autoweave.api.device, org.osgi.framework", BenchListener.class));
        return TestSigning.sign(unsigned, dir.resolve(bsn + ".jar"), signer);
    }

    /** The PluginInstaller service once it uses {@code trustStore}; called reflectively (its types live in bundles). */
    Object installer(Path trustStore) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            ServiceReference<?> r = context().getServiceReference("io.autoweave.plugin.installer.PluginInstaller");
            if (r != null && trustStore.toString().equals(r.getProperty("trust.store.path"))) {
                return context().getService(r);
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the plugin installer did not pick up the trust store configuration");
    }

    /** installer.install(path, level): returns the plugin's state (RUNNING once started). */
    static String install(Object installer, Path jar, String level) throws Exception {
        ClassLoader cl = installer.getClass().getClassLoader();
        Class<?> api = Class.forName("io.autoweave.plugin.installer.PluginInstaller", false, cl);
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Object lvl = Enum.valueOf((Class) Class.forName("io.autoweave.api.plugin.SecurityLevel", false, cl), level);
        Object plugin = invoke(api.getMethod("install", String.class, lvl.getClass()), installer, jar.toString(), lvl);
        Method state = plugin.getClass().getMethod("state");
        state.setAccessible(true);
        return String.valueOf(state.invoke(plugin));
    }

    /** installer.install(path, level, ISOLATED): returns the plugin's state (RUNNING once its host is ready). */
    static String installIsolated(Object installer, Path jar, String level) throws Exception {
        ClassLoader cl = installer.getClass().getClassLoader();
        Class<?> api = Class.forName("io.autoweave.plugin.installer.PluginInstaller", false, cl);
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Object lvl = Enum.valueOf((Class) Class.forName("io.autoweave.api.plugin.SecurityLevel", false, cl), level);
        @SuppressWarnings({ "unchecked", "rawtypes" })
        Object mode = Enum.valueOf((Class) Class.forName("io.autoweave.plugin.installer.PluginMode", false, cl),
                "ISOLATED");
        Object plugin = invoke(api.getMethod("install", String.class, lvl.getClass(), mode.getClass()), installer,
                jar.toString(), lvl, mode);
        Method state = plugin.getClass().getMethod("state");
        state.setAccessible(true);
        return String.valueOf(state.invoke(plugin));
    }

    static void uninstall(Object installer, String bsn) throws Exception {
        Class<?> api = Class.forName("io.autoweave.plugin.installer.PluginInstaller", false,
                installer.getClass().getClassLoader());
        invoke(api.getMethod("uninstall", String.class), installer, bsn);
    }

    private static Object invoke(Method m, Object target, Object... args) throws Exception {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            throw new IllegalStateException(t.getClass().getSimpleName() + ": " + t.getMessage(), t);
        }
    }

    /** The pipeline's counters (its Gogo function {@code aw:pipeline}), read reflectively. */
    @SuppressWarnings("unchecked")
    Map<String, Long> pipelineMetrics() throws Exception {
        // getAll...: this JVM's class path holds its own copy of the API, so the class-space filter would hide it
        ServiceReference<?>[] refs = context().getAllServiceReferences(null,
                "(&(osgi.command.scope=aw)(osgi.command.function=pipeline))");
        if (refs == null) {
            throw new IllegalStateException("no aw:pipeline command: the USB pipeline is not running");
        }
        Object svc = context().getService(refs[0]);
        return (Map<String, Long>) svc.getClass().getMethod("pipeline").invoke(svc);
    }

    /** The event log's figures (its Gogo function {@code aw:eventlog}), read reflectively. */
    @SuppressWarnings("unchecked")
    Map<String, Object> eventlogMetrics() throws Exception {
        ServiceReference<?>[] refs = context().getAllServiceReferences("io.autoweave.api.log.EventLog", null);
        if (refs == null) {
            throw new IllegalStateException("no EventLog service: the event log is not running");
        }
        Object svc = context().getService(refs[0]);
        return (Map<String, Object>) svc.getClass().getMethod("eventlog").invoke(svc);
    }

    @Override
    public void close() throws Exception {
        launcher.stop(60_000);
    }
}
