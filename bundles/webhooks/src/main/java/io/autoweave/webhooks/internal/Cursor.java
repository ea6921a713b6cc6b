package io.autoweave.webhooks.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;

/**
 * The history sequence of the last event a subscription finished with (delivered, filtered out or dead-lettered),
 * in {@code DATA/webhooks/NAME.cursor}. Written to a temporary file, forced to disk and renamed over the old one,
 * so a crash leaves the old or the new value, never a torn one. It is saved after the POST succeeded: a crash in
 * between repeats that one event with the same {@code webhook-id} (at least once; receivers de-duplicate).
 */
final class Cursor {
    private final Path file;

    Cursor(Path file) {
        this.file = file;
    }

    OptionalLong load() throws IOException {
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            long value = Long.parseLong(text);
            if (value < 0) {
                throw new NumberFormatException("negative");
            }
            return OptionalLong.of(value);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds '" + text + "', not a sequence number; delete it to start the "
                    + "subscription again from its configured start");
        }
    }

    void save(long sequence) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap((sequence + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
