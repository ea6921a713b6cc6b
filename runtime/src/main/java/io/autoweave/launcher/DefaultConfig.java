package io.autoweave.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Copies the default configuration files shipped in the jar ({@code autoweave/config/*.cfg}) into the data
 * directory's {@code etc/} on first start. Files an operator already has are never overwritten. Defaults of each
 * setting live in the components' typed configuration; these files only document and override.
 */
final class DefaultConfig {
    private DefaultConfig() {
    }

    static void copyMissing(Path etc) throws LaunchException {
        for (String name : Resources.list("autoweave/config/")) {
            Path target = etc.resolve(name);
            if (Files.exists(target)) {
                continue;
            }
            try (InputStream in = Resources.open("autoweave/config/" + name)) {
                Files.copy(in, target);
            } catch (IOException e) {
                throw new LaunchException("cannot write default configuration " + target + ": " + e, e);
            }
        }
    }
}
