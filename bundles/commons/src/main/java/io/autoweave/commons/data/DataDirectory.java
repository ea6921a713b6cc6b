package io.autoweave.commons.data;

import java.nio.file.Path;
import java.util.Optional;

import org.osgi.framework.BundleContext;

/**
 * The runtime's data directory ({@code DATA}: the event log, {@code etc/}, {@code security/}, {@code log/} ...), named
 * by the launcher in the framework property {@value #PROPERTY}. The one way a bundle finds it.
 */
public final class DataDirectory {
    /** The framework property the launcher sets to the data directory. */
    public static final String PROPERTY = "autoweave.data";

    private DataDirectory() {
    }

    /** The data directory; a component that cannot work without it fails with a message that says why. */
    public static Path require(BundleContext context) {
        return find(context).orElseThrow(() -> new IllegalStateException("framework property " + PROPERTY
                + " is not set (start the runtime with its launcher, which names the data directory)"));
    }

    /** The data directory, if the framework names one. */
    public static Optional<Path> find(BundleContext context) {
        String data = context == null ? null : context.getProperty(PROPERTY);
        return data == null || data.isBlank() ? Optional.empty() : Optional.of(Path.of(data.trim()));
    }

    /** The data directory, or {@code fallback} when the framework names none (an embedding without the launcher). */
    public static Path orElse(BundleContext context, Path fallback) {
        return find(context).orElse(fallback);
    }
}
