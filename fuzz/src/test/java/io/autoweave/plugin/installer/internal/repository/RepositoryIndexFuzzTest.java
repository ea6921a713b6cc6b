package io.autoweave.plugin.installer.internal.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.fuzz.Contract;

/**
 * Repository indexes (OSGi Repository XML and Felix OBR), plain and gzipped, as a remote repository serves them.
 * Contract: resources, or an {@link RepositoryIndex.IndexException} naming the index, or an {@link IOException}
 * (a broken gzip stream); and the gzipped form of any input reads exactly as the plain one.
 */
class RepositoryIndexFuzzTest {

    private static final URI LOCATION = URI.create("https://repo.example/index.xml");

    @ParserFuzzTest
    void indexesParseOrAreRefusedNamingTheIndexAndGzipChangesNothing(byte[] data) throws IOException {
        String plain = outcome(data);
        if (data.length > 1 && (data[0] & 0xFF) == 0x1f && (data[1] & 0xFF) == 0x8b) {
            return; // already gzip (or posing as it): its plain form is not this input
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(data);
        }
        assertEquals(plain, outcome(gz.toByteArray()), "the gzipped index reads differently");
    }

    /** What the parser made of {@code bytes}: the resources, or the refusal's message. */
    private static String outcome(byte[] bytes) {
        try {
            List<IndexedResource> resources = RepositoryIndex.parse(new ByteArrayInputStream(bytes), LOCATION);
            StringBuilder b = new StringBuilder();
            for (IndexedResource r : resources) {
                b.append(r).append(r.getCapabilities(null)).append(r.getRequirements(null)).append('\n');
            }
            return b.toString();
        } catch (RepositoryIndex.IndexException e) {
            Contract.explainedAt(e, "index " + LOCATION);
            return "refused: " + e.getMessage();
        } catch (IOException e) {
            Contract.explained(e);
            return "unreadable: " + e.getMessage();
        }
    }
}
