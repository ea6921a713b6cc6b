package io.autoweave.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers shared by the plugin integration tests. */
final class PluginInstallITSupport {
    private PluginInstallITSupport() {
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
