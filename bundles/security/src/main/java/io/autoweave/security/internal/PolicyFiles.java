package io.autoweave.security.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a {@code security-policies} directory: every {@code *.policy} file in name order, each split into rows in
 * the OSGi encoded form of a {@code ConditionalPermissionInfo}, with the file and line each row starts on. The same
 * format the launcher applies at start (runtime {@code PolicyLoader}; documented in security-policies/README.md):
 * a row may span lines, {@code #} and {@code //} start comments outside quotes, {@code ${autoweave.data}} expands to
 * the data directory.
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

    /** Splits one file into rows; unbalanced braces or an unterminated name are errors with the line. */
    static List<Row> parse(String text, Path file, String dataDir) throws PolicyException {
        StringBuilder clean = new StringBuilder();
        int[] lineOf = new int[text.length() + 1];
        int line = 1;
        boolean inQuote = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!inQuote && (c == '#' || (c == '/' && i + 1 < text.length() && text.charAt(i + 1) == '/'))) {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
                c = '\n';
            }
            if (c == '"' && (i == 0 || text.charAt(i - 1) != '\\')) {
                inQuote = !inQuote;
            }
            if (c == '\n') {
                line++;
                c = ' ';
            }
            lineOf[clean.length()] = line;
            clean.append(c);
        }
        List<Row> rows = new ArrayList<>();
        int depth = 0;
        int start = -1;
        inQuote = false;
        for (int i = 0; i < clean.length(); i++) {
            char c = clean.charAt(i);
            if (c == '"') {
                inQuote = !inQuote;
            }
            if (inQuote) {
                continue;
            }
            if (start < 0 && !Character.isWhitespace(c)) {
                start = i;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth < 0) {
                    throw new PolicyException(file, file + " line " + lineOf[i] + ": '}' without '{'", null);
                }
                if (depth == 0) {
                    int end = i + 1;
                    int j = end;
                    while (j < clean.length() && Character.isWhitespace(clean.charAt(j))) {
                        j++;
                    }
                    if (j < clean.length() && clean.charAt(j) == '"') {
                        int close = clean.indexOf("\"", j + 1);
                        if (close < 0) {
                            throw new PolicyException(file, file + " line " + lineOf[j] + ": unterminated row name",
                                    null);
                        }
                        end = close + 1;
                    }
                    String row = clean.substring(start, end).trim();
                    if (dataDir != null) {
                        row = row.replace("${autoweave.data}", dataDir);
                    }
                    rows.add(new Row(row, file, lineOf[start]));
                    start = -1;
                    i = end - 1;
                }
            }
        }
        if (depth != 0 || start >= 0) {
            throw new PolicyException(file, file + ": row starting at line " + (start < 0 ? line : lineOf[start])
                    + " is not closed with '}'", null);
        }
        return rows;
    }
}
