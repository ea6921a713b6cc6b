package io.autoweave.commons.config;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last good configuration of one DS component. A configuration is applied only when it checks out as a whole:
 * every attribute converts to its declared type (DS converts lazily, so {@code merge.window.ms=abc} only fails when
 * the method is called, as an SCR {@code ComponentException} — here it becomes a refusal naming the key) and the
 * component's own {@link Check} accepts it. A refused change leaves the settings in force untouched; a refused
 * configuration at activation starts the component on its defaults (the annotation's, the single home of defaults)
 * instead of failing it. Either way the refusal is logged with PID, key, value and reason, counted, and published as a
 * {@link ConfigurationStatus} service for {@code /metrics}, {@code aw:health} and {@code /api/v1/status}.
 *
 * <p>Use: in the activating constructor {@code settings = lastGood.start(ctx, config, properties)}; in a
 * {@code @Modified} method {@code lastGood.modified(config, properties).ifPresent(this::apply)} (the {@code @Modified}
 * method is what keeps DS from deactivating the component, and so its services, on every change); in
 * {@code @Deactivate} {@link #close()}.
 *
 * @param <C> the configuration annotation type
 * @param <S> the component's checked settings built from it
 */
public final class LastGoodConfig<C, S> implements ConfigurationStatus {
    private static final Logger LOG = LoggerFactory.getLogger(LastGoodConfig.class);

    /** Builds the settings from a configuration, or throws {@link ConfigRefusal} (an IllegalArgumentException also counts). */
    @FunctionalInterface
    public interface Check<C, S> {
        S apply(C config);
    }

    /**
     * What a component runs on its settings (a publisher, a scanner, a listener): started on the accepted settings,
     * stopped before it starts again on a changed configuration, and at the end.
     */
    public interface Runner<S> {
        void start(S settings);

        void stop();

        /** A runner of a component's own (private) start and stop methods. */
        static <S> Runner<S> of(java.util.function.Consumer<S> start, Runnable stop) {
            return new Runner<>() {
                @Override
                public void start(S settings) {
                    start.accept(settings);
                }

                @Override
                public void stop() {
                    stop.run();
                }
            };
        }
    }

    private final String pid;
    private final Class<C> type;
    private final Check<C, S> check;
    private final AtomicLong refusals = new AtomicLong();
    private volatile S current;
    private volatile Refusal error;
    /** What runs while no configuration was ever accepted (set by start). */
    private volatile String startInForce = "defaults";
    private ServiceRegistration<ConfigurationStatus> registration;

    public LastGoodConfig(String pid, Class<C> type, Check<C, S> check) {
        this.pid = pid;
        this.type = type;
        this.check = check;
    }

    /**
     * The settings to start with: the offered configuration's, or the defaults' when it is refused. Registers the
     * {@link ConfigurationStatus} service with {@code context} (null: none, in unit tests).
     *
     * @throws IllegalStateException when even the defaults do not check out (a bug, not a configuration problem)
     */
    public S start(BundleContext context, C config, Map<String, ?> properties) {
        return start(context, config, properties, "defaults", () -> {
            try {
                return check.apply(defaults(type));
            } catch (RuntimeException e) {
                throw new IllegalStateException("the defaults of " + pid + " do not check out: " + e.getMessage(), e);
            }
        });
    }

    /**
     * The settings to start with: the offered configuration's, or {@code fallback}'s when it is refused (for a
     * component whose defaults are no configuration, such as a webhook without a URL: the fallback may give null, and
     * the component then runs without settings until a good change arrives). Registers the
     * {@link ConfigurationStatus} service with {@code context} (null: none).
     *
     * @param inForce what runs instead of a refused configuration, for the report ("defaults")
     */
    public S start(BundleContext context, C config, Map<String, ?> properties, String inForce, Supplier<S> fallback) {
        startInForce = inForce;
        S s = offer(config, properties, "previous configuration", inForce);
        if (s == null) {
            s = fallback.get();
            current = s;
        }
        if (context != null) {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(PID_PROPERTY, pid);
            registration = context.registerService(ConfigurationStatus.class, this, props);
        }
        return s;
    }

    /** The new settings of a changed configuration, or empty when it is refused (the settings in force stay). */
    public Optional<S> modified(C config, Map<String, ?> properties) {
        return Optional.ofNullable(offer(config, properties, "previous configuration", startInForce));
    }

    /** For {@code @Activate}: {@link #start(BundleContext, Object, Map) start} and run {@code runner} on the result. */
    public void run(BundleContext context, C config, Map<String, ?> properties, Runner<S> runner) {
        runner.start(start(context, config, properties));
    }

    /**
     * For {@code @Modified}: an accepted change stops {@code runner} and starts it on the new settings; a refused one
     * leaves it running as it is.
     */
    public void restart(C config, Map<String, ?> properties, Runner<S> runner) {
        modified(config, properties).ifPresent(s -> {
            runner.stop();
            runner.start(s);
        });
    }

    /** For {@code @Deactivate}: withdraws the status service and stops {@code runner}. */
    public void stop(Runner<S> runner) {
        close();
        runner.stop();
    }

    /** The settings in force. */
    public S current() {
        return current;
    }

    /** Withdraws the status service. */
    public void close() {
        ServiceRegistration<ConfigurationStatus> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
    }

    @Override
    public String pid() {
        return pid;
    }

    @Override
    public long refusals() {
        return refusals.get();
    }

    @Override
    public Refusal error() {
        return error;
    }

    private S offer(C config, Map<String, ?> properties, String fallback, String none) {
        ConfigRefusal refusal;
        try {
            C effective = withOldNames(config, properties);
            convertible(type, effective, properties);
            S s = check.apply(effective);
            current = s;
            error = null;
            return s;
        } catch (ConfigRefusal r) {
            refusal = r;
        } catch (IllegalArgumentException e) {
            refusal = refusal(e.getMessage(), properties);
        }
        String inForce = current == null ? none : fallback;
        String value = secret(refusal.key()) ? "(hidden)" : refusal.value();
        error = new Refusal(Instant.now(), refusal.key(), value, refusal.reason(), inForce);
        refusals.incrementAndGet();
        LOG.error("configuration {} refused: {}={}: {}; running on the {} (fix the value in {}.cfg)", pid,
                refusal.key(), value, refusal.reason(), inForce, pid);
        return null;
    }

    /**
     * Messages of older checks name their key first: {@code key: reason}, {@code key = value: reason} or
     * {@code key must be ...}.
     */
    private static final Pattern KEYED = Pattern.compile(
            "([a-z][A-Za-z0-9_.-]*)(?:\\s*=\\s*([^:]*))?(?::\\s+|\\s+(?=must\\b))(.+)", Pattern.DOTALL);

    /** A refusal from a plain IllegalArgumentException's message: its key when the message names one. */
    static ConfigRefusal refusal(String message, Map<String, ?> properties) {
        Matcher m = KEYED.matcher(message == null ? "" : message);
        if (!m.matches()) {
            return new ConfigRefusal("(configuration)", "", message);
        }
        String value = m.group(2);
        if (value == null) {
            Object raw = properties == null ? null : properties.get(m.group(1));
            value = raw instanceof Object[] a ? Arrays.toString(a) : raw == null ? "" : raw.toString();
        }
        return new ConfigRefusal(m.group(1), value.trim(), m.group(3));
    }

    /**
     * Calls every attribute of {@code config}, so a value DS cannot convert is refused here with its key, before the
     * component's own checks run (for components that keep their own refusal path).
     *
     * @throws ConfigRefusal naming the first attribute whose value does not convert
     */
    public static <C> void convertible(Class<C> type, C config, Map<String, ?> properties) {
        for (Method m : type.getDeclaredMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            try {
                m.setAccessible(true);
                m.invoke(config);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof ConfigRefusal r) {
                    throw r; // a value read under an old name: the refusal names that key
                }
                String key = key(m.getName());
                Object raw = properties == null ? null : properties.get(key);
                throw new ConfigRefusal(key, raw instanceof Object[] a ? Arrays.toString(a) : raw,
                        "must be " + describe(m.getReturnType()));
            } catch (IllegalAccessException | RuntimeException e) {
                throw new IllegalStateException("cannot read " + m.getName() + " of " + type.getName(), e);
            }
        }
    }

    /**
     * {@code config} with the values of renamed keys still set under their {@link OldName} (when the new key is not
     * set, or only to its default), each with a warning naming both; {@code config} itself when there are none.
     */
    private C withOldNames(C config, Map<String, ?> properties) {
        if (properties == null) {
            return config;
        }
        Map<String, Object> old = new java.util.HashMap<>();
        Map<String, String> oldKeys = new java.util.HashMap<>();
        for (Method m : type.getDeclaredMethods()) {
            OldName o = m.getAnnotation(OldName.class);
            if (o == null || m.getParameterCount() != 0) {
                continue;
            }
            String key = key(m.getName());
            if (!properties.containsKey(o.value()) || setByOperator(properties.get(key), m, key)) {
                continue;
            }
            old.put(m.getName(), properties.get(o.value()));
            oldKeys.put(m.getName(), o.value());
            LOG.warn("configuration {}: {} is the old name of {}; it is still read, rename it in {}.cfg", pid,
                    o.value(), key, pid);
        }
        if (old.isEmpty()) {
            return config;
        }
        InvocationHandler h = (proxy, method, args) -> {
            String name = method.getName();
            if (method.getParameterCount() == 0 && old.containsKey(name)) {
                return convert(old.get(name), method.getReturnType(), oldKeys.get(name));
            }
            switch (name) {
                case "toString": return type.getName() + " of " + pid + " (with old key names)";
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                default:
                    try {
                        method.setAccessible(true); // configuration annotations are package-private
                        return method.invoke(config, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, h));
    }

    /**
     * Whether {@code value} of the new key was set by the operator: present and not the attribute's default (bnd writes
     * every default into the component description, so DS hands the new key over with its default even when the file
     * has only the old one; a new key set to exactly its default cannot be told apart and counts as not set).
     */
    private static boolean setByOperator(Object value, Method m, String key) {
        if (value == null) {
            return false;
        }
        try {
            return !java.util.Objects.deepEquals(convert(value, m.getReturnType(), key), m.getDefaultValue());
        } catch (ConfigRefusal e) {
            return true; // a bad new value: its own refusal says what to fix
        }
    }

    /**
     * A raw configuration value as {@code t}, by the DS conversion rules for the types configuration annotations use
     * here: a scalar from a list takes its first element, a list from a scalar has one element, text is trimmed.
     *
     * @throws ConfigRefusal naming {@code key} when the value does not convert
     */
    static Object convert(Object raw, Class<?> t, String key) {
        try {
            if (t.isArray()) {
                Object[] values = raw instanceof Object[] a ? a
                        : raw instanceof java.util.Collection<?> c ? c.toArray() : new Object[] { raw };
                Object out = java.lang.reflect.Array.newInstance(t.getComponentType(), values.length);
                for (int i = 0; i < values.length; i++) {
                    java.lang.reflect.Array.set(out, i, convert(values[i], t.getComponentType(), key));
                }
                return out;
            }
            Object v = raw instanceof Object[] a ? (a.length == 0 ? null : a[0])
                    : raw instanceof java.util.Collection<?> c ? (c.isEmpty() ? null : c.iterator().next()) : raw;
            if (v == null) {
                throw new IllegalArgumentException("no value");
            }
            String text = v.toString().trim();
            if (t == String.class) {
                return v.toString();
            }
            if (t == boolean.class) {
                return v instanceof Boolean b ? b : Boolean.parseBoolean(text);
            }
            if (t == long.class) {
                return v instanceof Number n ? n.longValue() : Long.parseLong(text);
            }
            if (t == int.class) {
                return v instanceof Number n ? n.intValue() : Integer.parseInt(text);
            }
            if (t == short.class) {
                return v instanceof Number n ? n.shortValue() : Short.parseShort(text);
            }
            if (t == byte.class) {
                return v instanceof Number n ? n.byteValue() : Byte.parseByte(text);
            }
            if (t == double.class) {
                return v instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
            }
            if (t == float.class) {
                return v instanceof Number n ? n.floatValue() : Float.parseFloat(text);
            }
            if (t.isEnum()) {
                for (Object c : t.getEnumConstants()) {
                    if (((Enum<?>) c).name().equals(text)) {
                        return c;
                    }
                }
                throw new IllegalArgumentException(text);
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigRefusal(key, raw instanceof Object[] a ? Arrays.toString(a) : raw,
                    "must be " + describe(t));
        }
        throw new IllegalStateException("no conversion to " + t.getName() + " for " + key);
    }

    /** The property name of an attribute method, by the DS rules ({@code _} is '.', {@code __} '_', {@code $_$} '-'). */
    static String key(String method) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            boolean more = i + 1 < method.length();
            if (c == '$') {
                if (i + 2 < method.length() && method.charAt(i + 1) == '_' && method.charAt(i + 2) == '$') {
                    b.append('-');
                    i += 2;
                } else if (more && method.charAt(i + 1) == '$') {
                    b.append('$');
                    i++;
                }
            } else if (c == '_') {
                if (more && method.charAt(i + 1) == '_') {
                    b.append('_');
                    i++;
                } else {
                    b.append('.');
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String describe(Class<?> t) {
        if (t.isArray()) {
            return "a list of values each " + describe(t.getComponentType());
        }
        if (t == int.class || t == long.class || t == short.class || t == byte.class) {
            return "a whole number";
        }
        if (t == double.class || t == float.class) {
            return "a number";
        }
        if (t == boolean.class) {
            return "true or false";
        }
        if (t.isEnum()) {
            return "one of " + Arrays.toString(t.getEnumConstants());
        }
        return "a " + t.getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** Private properties (a leading '.', by the Configuration Admin convention) and credentials are never logged. */
    static boolean secret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.startsWith(".") || k.contains("password") || k.contains("secret") || k.contains("token")
                || k.contains("hash");
    }

    /** An instance of the configuration annotation answering every attribute with its declared default. */
    public static <C> C defaults(Class<C> type) {
        InvocationHandler h = (proxy, method, args) -> {
            switch (method.getName()) {
                case "annotationType": return type;
                case "toString": return "defaults of " + type.getName();
                case "hashCode": return System.identityHashCode(proxy);
                case "equals": return proxy == args[0];
                default: return method.getDefaultValue();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, h));
    }
}
