package io.autoweave.usb.linux.internal;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.fail;

/** The real-kernel captures under src/test/resources/fixtures (see its README) and small test helpers. */
final class Fixtures {
    private Fixtures() {
    }

    static Path path(String relative) {
        URL url = Fixtures.class.getResource("/fixtures/" + relative);
        assertNotNull("missing test fixture fixtures/" + relative, url);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> lines(String relative) throws IOException {
        return Files.readAllLines(path(relative));
    }

    /** The sysfs root of a captured scenario: {@code fixtures/sysfs/NAME/sys}. */
    static Path sysfs(String scenario) {
        return path("sysfs/" + scenario + "/sys");
    }

    /** Feeds {@code lines} through a fresh parser, as the monitor's reader thread does. */
    static List<UdevBlock> parse(List<String> lines) {
        UdevMonitorParser parser = new UdevMonitorParser();
        List<UdevBlock> blocks = new ArrayList<>();
        for (String line : lines) {
            parser.line(line).ifPresent(blocks::add);
        }
        parser.finish().ifPresent(blocks::add);
        return blocks;
    }

    /** Waits for {@code condition}, checking often; fails with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
