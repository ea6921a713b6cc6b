package io.autoweave.commons.config;

/**
 * A configuration value a component will not run with: which key, the value as given, and what to fix. Thrown by a
 * component's check ({@link LastGoodConfig.Check}); {@link LastGoodConfig} turns it into a reported refusal. An
 * IllegalArgumentException, so code that already refuses on those needs no change.
 */
public final class ConfigRefusal extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String value;
    private final String reason;

    public ConfigRefusal(String key, Object value, String reason) {
        super(key + "=" + value + ": " + reason);
        this.key = key;
        this.value = String.valueOf(value);
        this.reason = reason;
    }

    public String key() {
        return key;
    }

    public String value() {
        return value;
    }

    public String reason() {
        return reason;
    }

    /** {@code value} when it lies in {@code min..max}, else a refusal naming the range. */
    public static long range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigRefusal(key, value, "must be from " + min + " to " + max);
        }
        return value;
    }

    /** {@code value} when it lies in {@code min..max}, else a refusal naming the range. */
    public static double range(String key, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new ConfigRefusal(key, value, "must be from " + min + " to " + max);
        }
        return value;
    }

    /** {@code value} when it is {@code >= min}, else a refusal. */
    public static long atLeast(String key, long value, long min) {
        if (value < min) {
            throw new ConfigRefusal(key, value, "must be " + min + " or more");
        }
        return value;
    }

    /** {@code value} when it is not blank, else a refusal. */
    public static String notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigRefusal(key, value == null ? "" : value, "must not be empty");
        }
        return value;
    }
}
