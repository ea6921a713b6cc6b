package io.autoweave.plugin.installer.internal.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.PluginInstallException;

/**
 * Brings a source to a local file: a path or {@code file:} URL is used where it is; an {@code https:} URL, or an
 * {@code http:} URL to a loopback address, is downloaded (no redirects, size-capped) into the installer's private
 * work directory. What {@link #fetch} returns is closed when done: that deletes a download, never a local file.
 */
public final class Fetcher {
    /** A fetched source: the local file to read, deleted on {@link #close} when it was downloaded. */
    public record Fetched(Path file, boolean download) implements AutoCloseable {
        @Override
        public void close() {
            if (download) {
                deleteQuietly(file);
            }
        }
    }

    private final Path workDir;
    private final int timeoutMillis;
    private final long maxBytes;

    public Fetcher(Path workDir, int timeoutMillis, long maxBytes) {
        this.workDir = workDir;
        this.timeoutMillis = timeoutMillis;
        this.maxBytes = maxBytes;
    }

    /** The source as a local path string when it names a local file, else null. */
    public static String localPath(String source) {
        try {
            if (source.regionMatches(true, 0, "file:", 0, 5)) {
                return Path.of(new URI(source)).toAbsolutePath().toString();
            }
            return source.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") ? null : Path.of(source).toAbsolutePath().toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    public Fetched fetch(String source) throws PluginInstallException {
        if (source == null || source.isBlank()) {
            throw new PluginInstallException(InstallError.BAD_SOURCE, "no source: give a file path or an https: URL");
        }
        String local = localPath(source.trim());
        if (local != null) {
            return new Fetched(Path.of(local), false);
        }
        URI uri;
        try {
            uri = new URI(source.trim());
        } catch (URISyntaxException e) {
            throw new PluginInstallException(InstallError.BAD_SOURCE, "'" + source + "' is neither a path nor a URL: "
                    + e.getMessage());
        }
        checkRemote(uri, source);
        return new Fetched(download(uri), true);
    }

    static void checkRemote(URI uri, String source) throws PluginInstallException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new PluginInstallException(InstallError.BAD_SOURCE, "unsupported source '" + source
                    + "': use a file path, a file: URL, an https: URL, or an http: URL to a loopback address");
        }
        if (scheme.equals("http") && !isLoopback(uri.getHost())) {
            throw new PluginInstallException(InstallError.BAD_SOURCE, "plain http is accepted only from a loopback address, not "
                    + uri.getHost() + ": use https");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return host != null && InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private Path download(URI uri) throws PluginInstallException {
        Path file = null;
        try {
            Files.createDirectories(workDir);
            file = Files.createTempFile(workDir, "download-", ".tmp");
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setInstanceFollowRedirects(false); // a redirect could leave loopback or https
            c.setConnectTimeout(timeoutMillis);
            c.setReadTimeout(timeoutMillis);
            int status = c.getResponseCode();
            if (status != 200) {
                throw new PluginInstallException(InstallError.DOWNLOAD_FAILED, uri + " answered HTTP " + status);
            }
            try (InputStream in = c.getInputStream(); OutputStream out = Files.newOutputStream(file)) {
                byte[] buf = new byte[64 * 1024];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0;) {
                    total += n;
                    if (total > maxBytes) {
                        throw new PluginInstallException(InstallError.ARCHIVE_TOO_LARGE, uri + " is larger than " + maxBytes
                                + " bytes");
                    }
                    out.write(buf, 0, n);
                }
            }
            return file;
        } catch (PluginInstallException e) {
            deleteQuietly(file);
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            deleteQuietly(file);
            throw new PluginInstallException(InstallError.DOWNLOAD_FAILED, "cannot download " + uri + ": " + e, e);
        }
    }

    public static void deleteQuietly(Path file) {
        try {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a leftover temp file in the private work directory is harmless
        }
    }
}
