package io.autoweave.usb.pipeline.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import io.autoweave.usb.pipeline.internal.rules.RuleTarget;
import io.autoweave.usb.pipeline.internal.rules.RuleSyntaxException;
import io.autoweave.usb.pipeline.internal.rules.RuleSet;

/**
 * Validated settings built from a {@link PipelineConfiguration}. Defaults live only in the annotation; tests and
 * callers without Configuration Admin get them through {@link #configuration(Map)}.
 *
 * @param mergeWindowNanos merge window
 * @param debounceWindowNanos debounce window
 * @param rules the rule set with its default target
 * @param instanceId this runtime's id, stamped on every event
 * @param sinkBatchSize most events handed to a UsbEventSink in one call
 * @param reconcileGraceNanos how long a restored device may go unconfirmed before it is detached as reconciled
 *        (for {@link Pipeline#restore})
 */
public record PipelineSettings(long mergeWindowNanos, long debounceWindowNanos, RuleSet rules, String instanceId,
        int sinkBatchSize, long reconcileGraceNanos) {

    public PipelineSettings {
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(instanceId, "instanceId");
        if (sinkBatchSize < 1) {
            throw new IllegalArgumentException("sink.batch.size must be >= 1, was " + sinkBatchSize);
        }
    }

    /** {@code s} without leading and trailing control characters and white space, Unicode's included. */
    static String unpadded(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && padding(s.charAt(from))) {
            from++;
        }
        while (to > from && padding(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    private static boolean padding(char c) {
        return c <= ' ' || Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c);
    }

    /** Validates {@code config}; an empty instance id becomes a random one. */
    public static PipelineSettings from(PipelineConfiguration config) {
        return from(config, () -> UUID.randomUUID().toString());
    }

    /**
     * Validates {@code config}; the message says which property to fix. An empty instance id is taken from
     * {@code defaultInstanceId}, asked only then (the component keeps one in the data directory).
     */
    public static PipelineSettings from(PipelineConfiguration config, Supplier<String> defaultInstanceId) {
        if (config.merge_window_ms() < 0) {
            throw new IllegalArgumentException("merge.window.ms must be >= 0, was " + config.merge_window_ms());
        }
        if (config.debounce_window_ms() < 1) {
            throw new IllegalArgumentException("debounce.window.ms must be >= 1, was " + config.debounce_window_ms());
        }
        if (config.reconcile_grace_ms() < 1) {
            throw new IllegalArgumentException("reconcile.grace.ms must be >= 1, was " + config.reconcile_grace_ms());
        }
        RuleTarget defaultTarget;
        try {
            defaultTarget = RuleTarget.parse(config.default_target());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("default.target: " + e.getMessage(), e);
        }
        String[] lines = config.rules() == null ? new String[0] : config.rules();
        RuleSet rules;
        try {
            rules = RuleSet.parse(String.join("\n", lines), defaultTarget);
        } catch (RuleSyntaxException e) {
            throw new IllegalArgumentException("rules: " + e.getMessage(), e);
        }

        // stripped of control characters (trim) and of Unicode white space (strip) at both ends before the
        // emptiness test: "\0" or an ideographic space would otherwise become a blank instance id
        String configuredId = config.instance_id() == null ? "" : unpadded(config.instance_id());
        String instanceId = configuredId.isEmpty() ? defaultInstanceId.get() : configuredId;
        return new PipelineSettings(TimeUnit.MILLISECONDS.toNanos(config.merge_window_ms()),
                TimeUnit.MILLISECONDS.toNanos(config.debounce_window_ms()), rules, instanceId, config.sink_batch_size(),
                TimeUnit.MILLISECONDS.toNanos(config.reconcile_grace_ms()));
    }

    /**
     * A configuration answering from {@code overrides} (keyed by method name, e.g. {@code merge_window_ms}) and
     * otherwise from the annotation's defaults.
     */
    public static PipelineConfiguration configuration(Map<String, ?> overrides) {
        return (PipelineConfiguration) Proxy.newProxyInstance(PipelineConfiguration.class.getClassLoader(),
                new Class<?>[] { PipelineConfiguration.class }, (proxy, method, args) -> answer(proxy, method, args, overrides));
    }

    private static Object answer(Object proxy, Method method, Object[] args, Map<String, ?> overrides) {
        switch (method.getName()) {
            case "annotationType": return PipelineConfiguration.class;
            case "toString": return "PipelineConfiguration" + overrides;
            case "hashCode": return overrides.hashCode();
            case "equals": return args[0] == proxy;
            default: break;
        }
        Object value = overrides.get(method.getName());
        return value != null ? value : method.getDefaultValue();
    }
}
