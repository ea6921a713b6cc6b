package io.autoweave.pluginhost.supervisor;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Removing what a host wrote. The plugin owns its files (the sandbox maps its user to the runtime's), and may have
 * made a directory unreadable ({@code chmod 0300}) to hide what is in it: the owner can always give itself the
 * rights back, so each directory is made {@code rwx------} before it is listed. Links are removed, never followed.
 */
public final class HostFiles {
    private HostFiles() {
    }

    /** Deletes {@code dir} and everything in it. */
    public static void deleteTree(Path dir) throws IOException {
        empty(dir);
        Files.deleteIfExists(dir);
    }

    /** Deletes everything in {@code dir}, keeping the directory. */
    public static void empty(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not ours or not POSIX: listing says whether it matters
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                if (Files.isDirectory(e, LinkOption.NOFOLLOW_LINKS)) {
                    deleteTree(e);
                } else {
                    Files.deleteIfExists(e);
                }
            }
        } catch (NoSuchFileException e) {
            // gone meanwhile
        }
    }
}
