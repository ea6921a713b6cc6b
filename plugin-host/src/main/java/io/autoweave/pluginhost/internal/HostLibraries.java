package io.autoweave.pluginhost.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The plugin host's class path, built from what the runtime already runs: the Felix framework (the jar on the
 * runtime's own class path that holds it: {@code autoweave.jar}, or the framework jar in tests) and the API, commons
 * and plugin-host bundles, each written out as a plain jar from its entries (the runtime installs bundles from
 * streams, so there is no file to point at). The host therefore runs exactly the API version the runtime runs.
 */
final class HostLibraries {
    static final String FELIX = "org/apache/felix/framework/Felix.class";
    static final List<String> BUNDLES = List.of("io.autoweave.api", "io.autoweave.commons", "io.autoweave.plugin.host");

    private HostLibraries() {
    }

    static List<Path> write(BundleContext ctx, Path dir) throws IOException {
        List<Path> cp = new ArrayList<>();
        cp.add(frameworkJar());
        for (String bsn : BUNDLES) {
            cp.add(writeOut(find(ctx, bsn), dir));
        }
        return cp;
    }

    /**
     * The runtime's own copies of the named bundles (for example Declarative Services), written out for a host that
     * installs them before its plugin.
     *
     * @throws IllegalArgumentException naming a bundle the runtime does not have
     */
    static List<Path> runtimeBundles(BundleContext ctx, List<String> names, Path dir) throws IOException {
        List<Path> jars = new ArrayList<>();
        for (String bsn : names) {
            String name = bsn.trim();
            if (name.isEmpty()) {
                continue;
            }
            Bundle b;
            try {
                b = find(ctx, name);
            } catch (IOException e) {
                throw new IllegalArgumentException("runtime.bundles: the runtime has no bundle " + name, e);
            }
            jars.add(writeOut(b, dir));
        }
        return jars;
    }

    /** A bundle's entries as a plain jar {@code DIR/<bsn>.jar}, the manifest first; replaced atomically. */
    private static Path writeOut(Bundle b, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path jar = dir.resolve(b.getSymbolicName() + ".jar");
        Path tmp = dir.resolve(b.getSymbolicName() + ".jar." + Thread.currentThread().getId() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jo = new JarOutputStream(out)) {
            copy(b, "META-INF/MANIFEST.MF", jo); // first, where JarInputStream and the JDK look for it
            Enumeration<URL> entries = b.findEntries("/", "*", true);
            while (entries != null && entries.hasMoreElements()) {
                String name = entries.nextElement().getPath().substring(1);
                if (!name.isEmpty() && !name.endsWith("/") && !name.equals("META-INF/MANIFEST.MF")) {
                    copy(b, name, jo);
                }
            }
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return jar;
    }

    private static void copy(Bundle b, String name, JarOutputStream jo) throws IOException {
        URL u = b.getEntry(name);
        if (u == null) {
            return;
        }
        jo.putNextEntry(new JarEntry(name));
        try (InputStream in = u.openStream()) {
            in.transferTo(jo);
        }
        jo.closeEntry();
    }

    private static Bundle find(BundleContext ctx, String bsn) throws IOException {
        for (Bundle b : ctx.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new IOException("bundle " + bsn + " is not installed: the plugin host needs it");
    }

    /** The class path entry of the runtime's JVM that holds the Felix framework. */
    static Path frameworkJar() throws IOException {
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isDirectory(p) ? Files.exists(p.resolve(FELIX)) : holds(p)) {
                return p.toAbsolutePath();
            }
        }
        throw new IOException("no entry of the runtime's class path holds the Felix framework (" + FELIX + ")");
    }

    private static boolean holds(Path jar) {
        if (!Files.isRegularFile(jar)) {
            return false;
        }
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getEntry(FELIX) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
