package io.autoweave.itests.burst;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.launch.Framework;

import io.autoweave.launcher.LaunchConfig;
import io.autoweave.launcher.Launcher;

/**
 * Child-process entry point for the crash tests: the production {@link Launcher} from autoweave.jar (same options
 * as {@code java -jar autoweave.jar}), plus the {@link BurstActivator} probe installed at a core location once the
 * runtime is ready. The test kills this process with SIGKILL; the restart is a plain {@code java -jar}, whose
 * launcher removes the probe (a core location not in the bundle set).
 */
public final class BurstMain {
    static final String PROBE_LOCATION = Launcher.CORE_LOCATION_PREFIX + "itest-burst";

    private BurstMain() {
    }

    public static void main(String[] args) throws Exception {
        Launcher launcher = new Launcher(LaunchConfig.parse(args, System.getenv(), false), System.out);
        Framework fw = launcher.start();
        Bundle probe = fw.getBundleContext().installBundle(PROBE_LOCATION, new ByteArrayInputStream(probeJar()));
        probe.start();
        fw.waitForStop(0);
    }

    private static byte[] probeJar() throws Exception {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "itest.burst");
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", BurstActivator.class.getName());
        a.putValue("Import-Package", "io.autoweave.api.device, io.autoweave.api.log, org.osgi.framework");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, mf)) {
            String name = BurstActivator.class.getName().replace('.', '/') + ".class";
            jar.putNextEntry(new JarEntry(name));
            try (InputStream in = BurstMain.class.getClassLoader().getResourceAsStream(name)) {
                in.transferTo(jar);
            }
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }
}
