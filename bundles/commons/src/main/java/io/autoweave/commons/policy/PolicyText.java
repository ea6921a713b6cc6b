package io.autoweave.commons.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits the text of one {@code *.policy} file into ConditionalPermissionAdmin rows in the OSGi encoded form, with
 * the line each row starts on (format: security-policies/README.md). A row may span lines; {@code #} and {@code //}
 * start comments outside quotes; {@code ${autoweave.data}} expands to the data directory. Checking a row's content
 * is left to {@code ConditionalPermissionAdmin.newConditionalPermissionInfo}, which names what is wrong.
 */
public final class PolicyText {

    /**
     * One row as written.
     *
     * @param encoded the row, comments removed, on one line
     * @param origin the file name (or resource) it came from
     * @param line the 1-based line the row starts on
     */
    public record Row(String encoded, String origin, int line) {
        /** {@code origin line N}, for messages. */
        public String where() {
            return origin + " line " + line;
        }
    }

    /** The text is not a sequence of rows; the message names the origin and line. */
    public static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxException(String message) {
            super(message);
        }
    }

    private PolicyText() {
    }

    /** Splits {@code text}; unbalanced braces or an unterminated row name are errors with the line. */
    public static List<Row> parse(String text, String origin, String dataDir) throws SyntaxException {
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
                    throw new SyntaxException(origin + " line " + lineOf[i] + ": '}' without '{'");
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
                            throw new SyntaxException(origin + " line " + lineOf[j] + ": unterminated row name");
                        }
                        end = close + 1;
                    }
                    String row = clean.substring(start, end).trim();
                    if (dataDir != null) {
                        row = row.replace("${autoweave.data}", dataDir);
                    }
                    rows.add(new Row(row, origin, lineOf[start]));
                    start = -1;
                    i = end - 1;
                }
            }
        }
        if (depth != 0 || start >= 0) {
            throw new SyntaxException(origin + ": row starting at line " + (start < 0 ? line : lineOf[start])
                    + " is not closed with '}'");
        }
        return rows;
    }
}
