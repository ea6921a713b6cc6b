package io.autoweave.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds the small bundles the scenarios install (probes and the benchmark plugin) from this module's classes. */
final class Jars {
    static final String API_IMPORTS = "io.autoweave.api.device, io.autoweave.api.source, io.autoweave.api.security, "
            + "org.osgi.framework";

    /** The dispatch probe also uses the runtime's permission decision cache (autoweave-commons). */
    static final String DISPATCH_IMPORTS = API_IMPORTS + ", io.autoweave.commons.permission";

    private Jars() {
    }

    static byte[] bundle(String symbolicName, String activator, String imports, Class<?>... classes) {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", symbolicName);
        a.putValue("Bundle-Version", "1.0.0");
        a.putValue("Bundle-Activator", activator);
        a.putValue("Import-Package", imports);
        a.putValue("Require-Capability", "osgi.ee;filter:=\"(&(osgi.ee=JavaSE)(version=17))\"");
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
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An embedded core bundle of the runtime jar (autoweave/bundles/NAME.jar), e.g. for the plain-Felix baseline. */
    static byte[] embedded(String artifactId) {
        try (InputStream in = Jars.class.getClassLoader().getResourceAsStream("autoweave/bundles/" + artifactId + ".jar")) {
            if (in == null) {
                throw new IllegalStateException("autoweave/bundles/" + artifactId + ".jar is not on the class path "
                        + "(the runtime jar must be)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
