package io.autoweave.usb.pipeline.internal.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * The instance id kept in {@code DATA/instance-id}: generated at the first start and read back afterwards, so a
 * runtime keeps its name across restarts (consumers group and de-duplicate events by it).
 */
public final class InstanceId {

    public static final String FILE_NAME = "instance-id";

    private InstanceId() {
    }

    /** Reads the id stored in {@code file}, or generates one and stores it (atomically, so a crash leaves none or all). */
    public static String loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!stored.isEmpty()) {
                    return stored;
                }
            }
            String id = UUID.randomUUID().toString();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the instance id file " + file
                    + " (set instance.id in the io.autoweave.usb.pipeline configuration, or fix the data directory)", e);
        }
    }
}
