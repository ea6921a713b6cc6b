package io.autoweave.usb.pipeline.internal.rules;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import io.autoweave.usb.pipeline.internal.identity.Signatures;

/**
 * Parses the rule language, one rule per line:
 *
 * <pre>
 * rule      := target attribute*            # comment to end of line
 * target    := allow | block
 * attribute := id VVVV:PPPP | id VVVV:* | id *:*
 *            | serial "text" | manufacturer "text" | product "text"
 *            | port "glob"                  (* and ? wildcards)
 *            | class CC                     (device class or any interface class, two hex digits)
 *            | interface CC | CC:* | CC:*:* (any interface of class CC)
 *            | signature HEX64
 * </pre>
 *
 * Strings are double-quoted with {@code \"} and {@code \\} escapes. Each attribute may appear once per rule.
 * Errors name the 1-based line and column and say what was expected there.
 */
final class RuleParser {

    private static final String ID_EXPECTED = "expected vendor:product like 046d:c52b or 046d:*";
    private static final String ATTRIBUTES = "id, serial, manufacturer, product, port, class, interface or signature";

    private final String line;
    private final int lineNumber;
    private int pos;

    private RuleParser(String line, int lineNumber) {
        this.line = line;
        this.lineNumber = lineNumber;
    }

    /** Parses a whole rule text; blank and comment-only lines are skipped. */
    static List<Rule> parse(String text) {
        List<Rule> rules = new ArrayList<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Rule rule = new RuleParser(lines[i], i + 1).parseLine();
            if (rule != null) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private Rule parseLine() {
        skipSpace();
        if (atEnd()) {
            return null;
        }
        int targetColumn = column();
        String targetWord = word();
        RuleTarget target;
        try {
            target = RuleTarget.parse(targetWord);
        } catch (IllegalArgumentException e) {
            throw error(targetColumn, "expected allow or block, found '" + targetWord + "'");
        }
        List<Rule.Condition> conditions = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (true) {
            skipSpace();
            if (atEnd()) {
                break;
            }
            int attributeColumn = column();
            String attribute = word().toLowerCase(Locale.ROOT);
            if (!seen.add(attribute) && isAttribute(attribute)) {
                throw error(attributeColumn, "attribute '" + attribute + "' given twice in one rule");
            }
            conditions.add(attribute(attribute, attributeColumn));
        }
        return new Rule(target, conditions, lineNumber, stripComment().trim());
    }

    private Rule.Condition attribute(String attribute, int attributeColumn) {
        switch (attribute) {
            case "id": return id();
            case "serial": return new Rule.Serial(quoted(attribute));
            case "manufacturer": return new Rule.Manufacturer(quoted(attribute));
            case "product": return new Rule.Product(quoted(attribute));
            case "port": return Rule.Port.of(quoted(attribute));
            case "class": return new Rule.DeviceOrInterfaceClass(classValue());
            case "interface": return interfaceSpec();
            case "signature": return signature();
            default: throw error(attributeColumn, "expected an attribute (" + ATTRIBUTES + "), found '" + attribute + "'");
        }
    }

    private static boolean isAttribute(String word) {
        return Set.of("id", "serial", "manufacturer", "product", "port", "class", "interface", "signature").contains(word);
    }

    private Rule.Id id() {
        int col = valueColumn(ID_EXPECTED);
        String value = word();
        int colon = value.indexOf(':');
        if (colon < 0 || value.indexOf(':', colon + 1) >= 0) {
            throw error(col, ID_EXPECTED + ", found '" + value + "'");
        }
        int vendor = hexOrStar(value.substring(0, colon), 4, col, ID_EXPECTED);
        int product = hexOrStar(value.substring(colon + 1), 4, col + colon + 1, ID_EXPECTED);
        return new Rule.Id(vendor, product);
    }

    private int classValue() {
        String expected = "expected a class as two hex digits like 08";
        int col = valueColumn(expected);
        String value = word();
        int v = hexOrStar(value, 2, col, expected);
        if (v < 0) {
            throw error(col, expected + ", found '*' (a rule without class already matches every class)");
        }
        return v;
    }

    private Rule.InterfaceClass interfaceSpec() {
        String expected = "expected an interface class like 03, 03:* or 03:*:*";
        int col = valueColumn(expected);
        String value = word();
        String[] parts = value.split(":", -1);
        if (parts.length > 3) {
            throw error(col, expected + ", found '" + value + "'");
        }
        int cls = hexOrStar(parts[0], 2, col, expected);
        if (cls < 0) {
            throw error(col, expected + ", found '*' as class");
        }
        int partColumn = col + parts[0].length() + 1;
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].equals("*")) {
                throw error(partColumn, "expected '*' for interface " + (i == 1 ? "subclass" : "protocol")
                        + ": the pipeline knows only interface classes, found '" + parts[i] + "'");
            }
            partColumn += parts[i].length() + 1;
        }
        return new Rule.InterfaceClass(cls);
    }

    private Rule.Signature signature() {
        String expected = "expected a device signature of 64 hex digits";
        int col = valueColumn(expected);
        String value = word();
        if (!Signatures.isSignature(value)) {
            throw error(col, expected + ", found '" + value + "' (" + value.length() + " characters)");
        }
        return new Rule.Signature(value);
    }

    private int hexOrStar(String text, int digits, int col, String expected) {
        if (text.equals("*")) {
            return -1;
        }
        if (text.length() != digits) {
            throw error(col, expected + ", found '" + text + "'");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                throw error(col + i, expected + ", found '" + text + "'");
            }
        }
        return Integer.parseInt(text, 16);
    }

    /** Skips to the attribute's value; fails at end of line so the message points where the value should be. */
    private int valueColumn(String expected) {
        skipSpace();
        if (atEnd()) {
            throw error(column(), expected + ", found end of line");
        }
        return column();
    }

    private String quoted(String attribute) {
        String expected = "expected a quoted string after " + attribute + ", like " + attribute + " \"text\"";
        int col = valueColumn(expected);
        if (line.charAt(pos) != '"') {
            throw error(col, expected + ", found '" + word() + "'");
        }
        pos++;
        StringBuilder out = new StringBuilder();
        while (pos < line.length()) {
            char c = line.charAt(pos++);
            if (c == '"') {
                if (pos < line.length() && !Character.isWhitespace(line.charAt(pos)) && line.charAt(pos) != '#') {
                    throw error(column(), "expected a space after the closing quote");
                }
                return out.toString();
            }
            if (c == '\\') {
                if (pos >= line.length()) {
                    break;
                }
                char e = line.charAt(pos++);
                if (e != '"' && e != '\\') {
                    throw error(column() - 1, "unknown escape '\\" + e + "': use \\\" or \\\\");
                }
                out.append(e);
            } else {
                out.append(c);
            }
        }
        throw error(col, "unterminated string: missing closing \"");
    }

    /** A run of characters up to space, quote or comment. */
    private String word() {
        int start = pos;
        while (pos < line.length()) {
            char c = line.charAt(pos);
            if (Character.isWhitespace(c) || c == '#' || c == '"') {
                break;
            }
            pos++;
        }
        if (start == pos) {
            throw error(column(), "unexpected '" + line.charAt(pos) + "'");
        }
        return line.substring(start, pos);
    }

    private void skipSpace() {
        while (pos < line.length() && Character.isWhitespace(line.charAt(pos))) {
            pos++;
        }
    }

    /** End of rule: end of line or a comment. */
    private boolean atEnd() {
        return pos >= line.length() || line.charAt(pos) == '#';
    }

    private int column() {
        return pos + 1;
    }

    /** The rule text without its trailing comment, for explaining decisions. */
    private String stripComment() {
        return pos < line.length() ? line.substring(0, pos) : line;
    }

    private RuleSyntaxException error(int col, String detail) {
        return new RuleSyntaxException(lineNumber, col, detail);
    }
}
