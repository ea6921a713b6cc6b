package io.autoweave.plugin.installer.internal.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The plugin locations the installer created, with the digest and signer it verified. {@link LocationGuard} lets
 * a {@code plugin:} bundle resolve only when its location is here, so a bundle installed at a plugin location by any
 * other route (which skipped the signature gate) never runs. Kept in the installer's bundle data area, next to the
 * framework's bundle cache it describes.
 */
@Component(service = PluginLedger.class)
public final class PluginLedger {

    /** What the install gate recorded about one plugin. */
    public record Entry(String sha256, String signer) {
    }

    private final Path file;
    private final Properties entries = new Properties();

    @Activate
    public PluginLedger(BundleContext ctx) {
        this(ctx.getDataFile("plugins.properties").toPath());
    }

    PluginLedger(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                entries.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the plugin ledger " + file, e);
            }
        }
    }

    public synchronized boolean contains(String location) {
        return entries.containsKey(location + ".sha256");
    }

    public synchronized Entry get(String location) {
        String sha = entries.getProperty(location + ".sha256");
        return sha == null ? null : new Entry(sha, entries.getProperty(location + ".signer"));
    }

    public synchronized void put(String location, String sha256, String signer) throws IOException {
        entries.setProperty(location + ".sha256", sha256);
        entries.setProperty(location + ".signer", signer == null ? "" : signer);
        save();
    }

    public synchronized void remove(String location) throws IOException {
        if (entries.remove(location + ".sha256") != null | entries.remove(location + ".signer") != null) {
            save();
        }
    }

    private void save() throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            entries.store(out, "plugins installed through the install gate: location.sha256 / location.signer");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
