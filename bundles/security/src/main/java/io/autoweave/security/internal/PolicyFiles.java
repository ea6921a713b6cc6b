package io.autoweave.security.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.autoweave.commons.policy.PolicyText;

/**
 * Reads a {@code security-policies} directory: every {@code *.policy} file in name order, each split into rows in
 * the OSGi encoded form of a {@code ConditionalPermissionInfo}, with the file and line each row starts on. The
 * launcher's {@code PolicyLoader} parses with the same {@link PolicyText}, so a reload applies exactly what a start
 * would.
 */
final class PolicyFiles {

    /** One row as written, and where. */
    record Row(String encoded, Path file, int line) {
        String origin() {
            return file.getFileName() + ":" + line;
        }
    }

    /** A file that is not a valid policy: the message names the file and line. */
    static final class PolicyException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Path file;

        PolicyException(Path file, String message, Throwable cause) {
            super(message, cause);
            this.file = file;
        }

        Path file() {
            return file;
        }
    }

    private PolicyFiles() {
    }

    /** The rows of every {@code *.policy} file of the directory, in file name order. */
    static List<Row> read(Path dir, String dataDir) throws PolicyException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".policy")).sorted().toList();
        } catch (IOException e) {
            throw new PolicyException(dir, "cannot list the policy directory " + dir + ": " + e, e);
        }
        List<Row> rows = new ArrayList<>();
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f);
            } catch (IOException e) {
                throw new PolicyException(f, "cannot read " + f + ": " + e, e);
            }
            rows.addAll(parse(text, f, dataDir));
        }
        if (rows.isEmpty()) {
            throw new PolicyException(dir, "the policy directory " + dir + " has no rows: an empty "
                    + "ConditionalPermissionAdmin table would give every bundle AllPermission", null);
        }
        return rows;
    }

    /** Splits one file into rows (the shared format, {@link PolicyText}); errors name the file and line. */
    static List<Row> parse(String text, Path file, String dataDir) throws PolicyException {
        try {
            List<Row> rows = new ArrayList<>();
            for (PolicyText.Row r : PolicyText.parse(text, file.toString(), dataDir)) {
                rows.add(new Row(r.encoded(), file, r.line()));
            }
            return rows;
        } catch (PolicyText.SyntaxException e) {
            throw new PolicyException(file, e.getMessage(), e);
        }
    }
}
