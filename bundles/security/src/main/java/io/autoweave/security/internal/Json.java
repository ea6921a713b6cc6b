package io.autoweave.security.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** Flat JSON objects of string values: all the audit log needs, so no library. */
final class Json {
    private Json() {
    }

    static String object(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            quote(sb, e.getKey()).append(':');
            quote(sb, e.getValue() == null ? "" : e.getValue());
        }
        return sb.append('}').toString();
    }

    private static StringBuilder quote(StringBuilder sb, String s) {
        io.autoweave.commons.json.Json.string(sb, s);
        return sb;
    }

    /** Parses what {@link #object} writes; throws IllegalArgumentException on anything else. */
    static Map<String, String> parse(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        int[] pos = { skip(line, 0) };
        expect(line, pos, '{');
        if (peek(line, pos) == '}') {
            return out;
        }
        while (true) {
            String key = string(line, pos);
            expect(line, pos, ':');
            out.put(key, string(line, pos));
            char c = peek(line, pos);
            pos[0]++;
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw new IllegalArgumentException("expected , or } at " + pos[0]);
            }
        }
    }

    private static char peek(String s, int[] pos) {
        pos[0] = skip(s, pos[0]);
        if (pos[0] >= s.length()) {
            throw new IllegalArgumentException("unexpected end");
        }
        return s.charAt(pos[0]);
    }

    private static void expect(String s, int[] pos, char c) {
        if (peek(s, pos) != c) {
            throw new IllegalArgumentException("expected " + c + " at " + pos[0]);
        }
        pos[0]++;
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static String string(String s, int[] pos) {
        expect(s, pos, '"');
        StringBuilder sb = new StringBuilder();
        for (int i = pos[0]; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                pos[0] = i + 1;
                return sb.toString();
            }
            if (c == '\\') {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u': sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16)); i += 4; break;
                    default: sb.append(n);
                }
            } else {
                sb.append(c);
            }
        }
        throw new IllegalArgumentException("unterminated string");
    }
}
