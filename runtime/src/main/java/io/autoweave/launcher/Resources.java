package io.autoweave.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** Reads the files the runtime jar carries, whether it runs from the jar or from a classes directory. */
final class Resources {
    private Resources() {
    }

    static InputStream open(String name) throws IOException {
        InputStream in = Resources.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("missing from the runtime jar: " + name + " (rebuild with mvn install)");
        }
        return in;
    }

    /** File names (not paths) directly under {@code prefix} (which ends with '/'), sorted. */
    static List<String> list(String prefix) {
        List<String> names = new ArrayList<>();
        try {
            Path home = Path.of(Resources.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(home)) {
                Path dir = home.resolve(prefix);
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> s = Files.list(dir)) {
                        s.filter(Files::isRegularFile).forEach(p -> names.add(p.getFileName().toString()));
                    }
                }
            } else {
                try (JarFile jar = new JarFile(home.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                        String n = e.nextElement().getName();
                        if (n.startsWith(prefix) && n.length() > prefix.length() && n.indexOf('/', prefix.length()) < 0) {
                            names.add(n.substring(prefix.length()));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        names.sort(null);
        return names;
    }
}
