package io.autoweave.usb.pipeline.internal.sources;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.commons.json.JsonParser;
import io.autoweave.usb.pipeline.internal.merge.SourceReport;

/**
 * Reads a replay file for the simulated source: JSON Lines, one object per line, blank lines skipped.
 *
 * <pre>
 * {"action":"attach","vendor_id":"046d","product_id":"c52b","serial":"ABC","manufacturer":"Logitech",
 *  "product":"Receiver","port_path":"1-2","device_class":0,"interface_classes":[3,3],"delay_ms":250}
 * </pre>
 *
 * Required: {@code action} (attach/detach, add/remove), {@code vendor_id}, {@code product_id}. Ids and classes
 * take a JSON number or a hex string ({@code "046d"}, {@code "0x046d"}). Optional: {@code serial},
 * {@code manufacturer}, {@code product}, {@code port_path} (string or null), {@code device_class},
 * {@code device_subclass}, {@code device_protocol}, {@code interface_classes} (array), {@code bcd_device},
 * {@code bus_number}, {@code device_address}, {@code delay_ms} (wait before this step, after the previous one,
 * default 0) and {@code source} (default {@code simulated}). Unknown keys are errors, so a typo never silently
 * becomes a default. Every error names its line.
 */
public final class ReplayParser {

    /**
     * One replay step.
     *
     * @param line the 1-based line it came from
     * @param delayMillis wait after the previous step
     * @param report what the simulated source reports
     */
    public record Step(int line, long delayMillis, SourceReport report) {
    }

    /** A replay file error naming its line (and column for JSON syntax errors). */
    static final class ReplayFormatException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        final int line;

        ReplayFormatException(int line, String message, Throwable cause) {
            super("line " + line + ", " + message, cause);
            this.line = line;
        }
    }

    static final String DEFAULT_SOURCE = "simulated";

    private static final Set<String> KNOWN = Set.of("action", "vendor_id", "product_id", "serial", "manufacturer",
            "product", "port_path", "device_class", "device_subclass", "device_protocol", "interface_classes",
            "bcd_device", "bus_number", "device_address", "delay_ms", "source");

    private ReplayParser() {
    }

    public static List<Step> parse(String text) {
        List<Step> steps = new ArrayList<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                steps.add(parseLine(lines[i], i + 1));
            }
        }
        return steps;
    }

    static Step parseLine(String line, int lineNumber) {
        Object json;
        try {
            json = JsonParser.parse(line);
        } catch (JsonParser.SyntaxException e) {
            throw new ReplayFormatException(lineNumber, e.getMessage(), e);
        }
        if (!(json instanceof Map<?, ?> raw)) {
            throw fail(lineNumber, "expected a JSON object like {\"action\":\"attach\",\"vendor_id\":\"046d\",...}");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) raw;
        for (String key : fields.keySet()) {
            if (!KNOWN.contains(key)) {
                throw fail(lineNumber, "unknown field \"" + key + "\"; known fields: " + new java.util.TreeSet<>(KNOWN));
            }
        }
        Fields f = new Fields(fields, lineNumber);
        UsbAction action;
        try {
            action = UsbAction.parse(f.requiredString("action"));
        } catch (ReplayFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw fail(lineNumber, "action: " + e.getMessage());
        }
        UsbDevice device = new UsbDevice(
                f.requiredInt("vendor_id", 0xFFFF),
                f.requiredInt("product_id", 0xFFFF),
                f.string("serial"), f.string("manufacturer"), f.string("product"),
                f.optionalInt("device_class", 0xFF, 0), f.optionalInt("device_subclass", 0xFF, 0),
                f.optionalInt("device_protocol", 0xFF, 0),
                f.intList("interface_classes", 0xFF),
                f.optionalInt("bcd_device", 0xFFFF, 0),
                f.optionalInt("bus_number", 0xFFFF, -1), f.optionalInt("device_address", 0xFFFF, -1),
                f.string("port_path"), null);
        String source = f.string("source");
        if (source != null && source.isBlank()) {
            throw fail(lineNumber, "source: must not be blank");
        }
        long delay = f.optionalInt("delay_ms", Integer.MAX_VALUE, 0);
        return new Step(lineNumber, delay, new SourceReport(source == null ? DEFAULT_SOURCE : source, action, device));
    }

    private static ReplayFormatException fail(int line, String message) {
        return new ReplayFormatException(line, message, null);
    }

    /** Typed access to one line's fields, failing with the line number and field name. */
    private record Fields(Map<String, Object> values, int line) {

        String requiredString(String name) {
            Object v = values.get(name);
            if (v == null) {
                throw fail(line, name + ": required, e.g. \"" + name + "\":\"attach\"");
            }
            if (!(v instanceof String s)) {
                throw fail(line, name + ": expected a string, found " + describe(v));
            }
            return s;
        }

        String string(String name) {
            Object v = values.get(name);
            if (v == null || v instanceof String) {
                return (String) v;
            }
            throw fail(line, name + ": expected a string or null, found " + describe(v));
        }

        int requiredInt(String name, int max) {
            if (values.get(name) == null) {
                throw fail(line, name + ": required, e.g. \"" + name + "\":\"046d\"");
            }
            return optionalInt(name, max, 0);
        }

        int optionalInt(String name, int max, int otherwise) {
            Object v = values.get(name);
            return v == null ? otherwise : toInt(name, v, max);
        }

        List<Integer> intList(String name, int max) {
            Object v = values.get(name);
            if (v == null) {
                return List.of();
            }
            if (!(v instanceof List<?> list)) {
                throw fail(line, name + ": expected an array like [3, 8], found " + describe(v));
            }
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) == null) {
                    throw fail(line, name + "[" + i + "]: expected a number or hex string, found null");
                }
                out.add(toInt(name + "[" + i + "]", list.get(i), max));
            }
            return out;
        }

        private int toInt(String name, Object v, int max) {
            long value;
            if (v instanceof Long l) {
                value = l;
            } else if (v instanceof String s) {
                String hex = s.trim().toLowerCase(Locale.ROOT);
                if (hex.startsWith("0x")) {
                    hex = hex.substring(2);
                }
                if (hex.isEmpty() || hex.length() > 8 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    throw fail(line, name + ": expected hex digits like \"046d\" or a number, found \"" + s + "\"");
                }
                value = Long.parseLong(hex, 16);
            } else {
                throw fail(line, name + ": expected a whole number or hex string, found " + describe(v));
            }
            if (value < 0 || value > max) {
                throw fail(line, name + ": out of range 0.." + max + ": " + value);
            }
            return (int) value;
        }

        private static String describe(Object v) {
            if (v instanceof String s) {
                return "string \"" + s + "\"";
            }
            if (v instanceof List) {
                return "an array";
            }
            if (v instanceof Map) {
                return "an object";
            }
            return v.getClass() == Double.class ? "number " + v : String.valueOf(v);
        }
    }
}
