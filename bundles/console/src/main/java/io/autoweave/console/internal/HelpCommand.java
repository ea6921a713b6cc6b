package io.autoweave.console.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * {@code help}: every command by scope; {@code help SCOPE} (e.g. {@code help aw}): each command of the scope with its
 * arguments and their descriptions; {@code help COMMAND}: the same for one command. Descriptions come from the
 * {@code @Descriptor} annotations of the command services, as Felix's own help reads them.
 */
public final class HelpCommand {
    private final BundleContext context;

    HelpCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("list every command, by scope")
    public String help() {
        StringBuilder b = new StringBuilder();
        Map<String, Map<String, List<Method>>> all = commands();
        all.forEach((scope, functions) -> {
            b.append(scope).append(":\n");
            functions.forEach((name, methods) -> b.append(String.format(Locale.ROOT, "  %-22s %s%n", name,
                    summary(methods))));
        });
        b.append("\n'help SCOPE' (e.g. help aw) or 'help COMMAND' shows the arguments.");
        return b.toString();
    }

    @Descriptor("show the commands of a scope (e.g. aw), or one command, with their arguments")
    public String help(@Descriptor("a scope (aw, felix, gogo, scr, ...) or a command (stop, aw:devices)") String what) {
        Map<String, Map<String, List<Method>>> all = commands();
        StringBuilder b = new StringBuilder();
        if (all.containsKey(what)) {
            all.get(what).forEach((name, methods) -> describe(b, what, name, methods));
            return b.toString().stripTrailing();
        }
        int colon = what.indexOf(':');
        String scope = colon < 0 ? null : what.substring(0, colon);
        String name = colon < 0 ? what : what.substring(colon + 1);
        for (var e : all.entrySet()) {
            if ((scope == null || scope.equals(e.getKey())) && e.getValue().containsKey(name)) {
                describe(b, e.getKey(), name, e.getValue().get(name));
            }
        }
        if (b.length() == 0) {
            throw new IllegalArgumentException("no scope or command '" + what + "'; 'help' lists them");
        }
        return b.toString().stripTrailing();
    }

    /** scope → function → the public methods implementing it, from the command services registered now. */
    Map<String, Map<String, List<Method>>> commands() {
        Map<String, Map<String, List<Method>>> all = new TreeMap<>();
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(null, "(&(osgi.command.scope=*)(osgi.command.function=*))");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            String scope = String.valueOf(ref.getProperty("osgi.command.scope"));
            Object service = context.getService(ref);
            if (service == null) {
                continue;
            }
            try {
                for (String function : functions(ref.getProperty("osgi.command.function"))) {
                    List<Method> methods = new ArrayList<>();
                    for (Method m : service.getClass().getMethods()) {
                        // a Function service is one command whatever its name: its execute method describes it
                        boolean match = service instanceof Function ? m.getName().equals("execute")
                                && m.getParameterCount() == 2 : matches(m.getName(), function);
                        if (Modifier.isPublic(m.getModifiers()) && match) {
                            methods.add(m);
                        }
                    }
                    methods.sort((a, c) -> Integer.compare(a.getParameterCount(), c.getParameterCount()));
                    all.computeIfAbsent(scope, s -> new TreeMap<>()).computeIfAbsent(function,
                            f -> new ArrayList<>()).addAll(methods);
                }
            } finally {
                context.ungetService(ref);
            }
        }
        return all;
    }

    private static List<String> functions(Object property) {
        if (property instanceof String[] a) {
            return Arrays.asList(a);
        }
        if (property instanceof Iterable<?> it) {
            List<String> l = new ArrayList<>();
            it.forEach(o -> l.add(String.valueOf(o)));
            return l;
        }
        return List.of(String.valueOf(property));
    }

    /** Gogo's mapping of a command name to method names: name, getName, isName, _name; dashes drop out. */
    static boolean matches(String method, String function) {
        String f = function.replace("-", "");
        String m = method.toLowerCase(Locale.ROOT);
        f = f.toLowerCase(Locale.ROOT);
        return m.equals(f) || m.equals("get" + f) || m.equals("is" + f) || m.equals("_" + f);
    }

    private static String summary(List<Method> methods) {
        for (Method m : methods) {
            Descriptor d = m.getAnnotation(Descriptor.class);
            if (d != null) {
                return d.value();
            }
        }
        return "";
    }

    private static void describe(StringBuilder b, String scope, String name, List<Method> methods) {
        for (Method m : methods) {
            Descriptor d = m.getAnnotation(Descriptor.class);
            b.append(scope).append(':').append(name);
            List<String> lines = new ArrayList<>();
            Annotation[][] annotations = m.getParameterAnnotations();
            Class<?>[] types = m.getParameterTypes();
            for (int i = 0; i < types.length; i++) {
                if (CommandSession.class.isAssignableFrom(types[i])) {
                    continue;
                }
                if (List.class.isAssignableFrom(types[i]) && m.getName().equals("execute")) {
                    b.append(" [ARGUMENTS...]"); // a Function takes what it is given and checks it itself
                    continue;
                }
                Descriptor pd = null;
                Parameter p = null;
                for (Annotation a : annotations[i]) {
                    if (a instanceof Descriptor x) {
                        pd = x;
                    } else if (a instanceof Parameter x) {
                        p = x;
                    }
                }
                String label;
                if (p != null) {
                    boolean flag = !Parameter.UNSPECIFIED.equals(p.presentValue());
                    label = String.join("|", p.names()) + (flag ? "" : " " + argName(m.getParameters()[i]));
                    b.append(" [").append(label).append(']');
                } else {
                    label = argName(m.getParameters()[i]) + (types[i].isArray() ? "..." : "");
                    b.append(' ').append(label);
                }
                lines.add(String.format(Locale.ROOT, "    %-24s %s", label, pd == null ? "" : pd.value()));
            }
            b.append('\n');
            if (d != null) {
                b.append("    ").append(d.value()).append('\n');
            }
            lines.forEach(l -> b.append(l).append('\n'));
        }
    }

    /** The parameter's name in capitals when the class was compiled with names, else what kind of value it takes. */
    private static String argName(java.lang.reflect.Parameter parameter) {
        if (parameter.isNamePresent()) {
            return parameter.getName().toUpperCase(Locale.ROOT);
        }
        Class<?> type = parameter.getType();
        Class<?> t = type.isArray() ? type.getComponentType() : type;
        if (t == int.class || t == long.class || t == Integer.class || t == Long.class) {
            return "NUMBER";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true|false";
        }
        return t.getSimpleName().toUpperCase(Locale.ROOT);
    }
}
