package io.autoweave.security.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What must survive a restart: the blocked plugins (symbolic name → reason) and the lockdown switch. A properties
 * file replaced atomically at every change ({@code DATA/security/blocked.properties}).
 */
final class SecurityState {
    private static final String BLOCKED = "blocked.";
    private final Path file;
    private final Map<String, String> blocked = new TreeMap<>();
    private boolean lockdown;
    private String lockdownReason = "";

    SecurityState(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            for (String k : p.stringPropertyNames()) {
                if (k.startsWith(BLOCKED)) {
                    blocked.put(k.substring(BLOCKED.length()), p.getProperty(k));
                }
            }
            lockdown = Boolean.parseBoolean(p.getProperty("lockdown", "false"));
            lockdownReason = p.getProperty("lockdown.reason", "");
        }
    }

    synchronized boolean isBlocked(String bsn) {
        return bsn != null && blocked.containsKey(bsn);
    }

    synchronized Map<String, String> blocked() {
        return new TreeMap<>(blocked);
    }

    /** Returns false if it was blocked already. */
    synchronized boolean block(String bsn, String reason) throws IOException {
        if (blocked.putIfAbsent(bsn, reason) != null) {
            return false;
        }
        save();
        return true;
    }

    synchronized boolean unblock(String bsn) throws IOException {
        if (blocked.remove(bsn) == null) {
            return false;
        }
        save();
        return true;
    }

    synchronized boolean isLockdown() {
        return lockdown;
    }

    synchronized String lockdownReason() {
        return lockdownReason;
    }

    /** Returns false if nothing changed. */
    synchronized boolean setLockdown(boolean on, String reason) throws IOException {
        if (lockdown == on) {
            return false;
        }
        lockdown = on;
        lockdownReason = on ? reason : "";
        save();
        return true;
    }

    private void save() throws IOException {
        Properties p = new Properties();
        blocked.forEach((k, v) -> p.setProperty(BLOCKED + k, v));
        p.setProperty("lockdown", Boolean.toString(lockdown));
        p.setProperty("lockdown.reason", lockdownReason);
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "AutoWeave security state: blocked plugins and lockdown (aw:unblock, aw:lockdown off)");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
