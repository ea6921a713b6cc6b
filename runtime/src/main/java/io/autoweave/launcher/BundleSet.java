package io.autoweave.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/** The runtime's bundle set as listed in {@code autoweave/bundles.txt}: order, start level, embedded jar. */
final class BundleSet {

    /** {@code started} false: installed for its packages only ({@code resolve-only} in bundles.txt). */
    record Entry(int startLevel, String artifactId, boolean started) {

        String resource() {
            return "autoweave/bundles/" + artifactId + ".jar";
        }

        String location() {
            return Launcher.CORE_LOCATION_PREFIX + artifactId;
        }

        InputStream open() throws IOException {
            return Resources.open(resource());
        }

        /** SHA-256 of the embedded jar, to update a cached bundle only when the runtime jar changed. */
        String digest() throws IOException {
            try (InputStream in = new DigestInputStream(open(), MessageDigest.getInstance("SHA-256"))) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
                return Launcher.hex(((DigestInputStream) in).getMessageDigest().digest());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static final String RESOLVE_ONLY = "resolve-only";

    private final List<Entry> entries;

    private BundleSet(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    List<Entry> entries() {
        return entries;
    }

    static BundleSet load() throws LaunchException {
        try (InputStream in = Resources.open("autoweave/bundles.txt")) {
            return parse(in);
        } catch (IOException e) {
            throw new LaunchException("the runtime jar is incomplete: " + e.getMessage(), e);
        }
    }

    static BundleSet parse(InputStream in) throws IOException {
        List<Entry> list = new ArrayList<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length < 2 || parts.length > 3 || !parts[0].matches("\\d+")
                    || parts.length == 3 && !RESOLVE_ONLY.equals(parts[2])) {
                throw new IOException("bundles.txt line " + n + ": expected 'START_LEVEL ARTIFACT_ID [" + RESOLVE_ONLY
                        + "]', got '" + line + "'");
            }
            list.add(new Entry(Integer.parseInt(parts[0]), parts[1], parts.length == 2));
        }
        return new BundleSet(list);
    }
}
