package io.autoweave.itests;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Calls into the runtime's services reflectively: their types live in the runtime's bundles, not on the test class
 * path. A method's own exception is rethrown as is, so tests see the service's error.
 */
final class Reflect {
    private Reflect() {
    }

    /** Calls the public method {@code name} with {@code args.length} parameters. */
    static Object invoke(Object target, String name, Object... args) throws Exception {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception x ? x : e;
                }
            }
        }
        throw new NoSuchMethodException(name);
    }

    /** A record's components by name; enums and instants as their strings. */
    static Map<String, Object> fields(Object record) throws Exception {
        Map<String, Object> f = new LinkedHashMap<>();
        for (var c : record.getClass().getRecordComponents()) {
            Object v = c.getAccessor().invoke(record);
            f.put(c.getName(), v instanceof Enum || v instanceof java.time.Instant ? v.toString() : v);
        }
        return f;
    }
}
