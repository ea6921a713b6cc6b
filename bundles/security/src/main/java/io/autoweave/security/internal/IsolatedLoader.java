package io.autoweave.security.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.security.AllPermission;
import java.security.CodeSource;
import java.security.Permissions;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;

import org.osgi.framework.Bundle;

/**
 * Defines {@link DenialRecorder} and its nested classes (read from the bundle's own entries) in a protection domain
 * with a static AllPermission set, so their frames never send a permission check through ConditionalPermissionAdmin
 * (see DenialRecorder for why). Everything else, {@link DenialSink} and {@link RecorderControl} included, comes from
 * the bundle's class loader (the parent), so both sides share those types.
 */
final class IsolatedLoader extends ClassLoader {
    private static final String PREFIX = DenialRecorder.class.getName();
    private final Map<String, Class<?>> defined = new HashMap<>();

    IsolatedLoader(Bundle bundle, ClassLoader parent) throws IOException {
        super(parent);
        Permissions all = new Permissions();
        all.add(new AllPermission());
        ProtectionDomain pd = new ProtectionDomain(new CodeSource(null, (Certificate[]) null), all);
        String dir = PREFIX.substring(0, PREFIX.lastIndexOf('.')).replace('.', '/');
        Enumeration<URL> entries = bundle.findEntries(dir, "DenialRecorder*.class", false);
        Map<String, byte[]> classes = new HashMap<>();
        while (entries != null && entries.hasMoreElements()) {
            URL u = entries.nextElement();
            String path = u.getPath().startsWith("/") ? u.getPath().substring(1) : u.getPath();
            try (InputStream in = u.openStream()) {
                classes.put(path.substring(0, path.length() - ".class".length()).replace('/', '.'), in.readAllBytes());
            }
        }
        if (!classes.containsKey(PREFIX)) {
            throw new IOException("cannot read " + PREFIX + " from the bundle");
        }
        byte[] top = classes.remove(PREFIX);
        defined.put(PREFIX, defineClass(PREFIX, top, 0, top.length, pd));
        for (Map.Entry<String, byte[]> e : classes.entrySet()) {
            defined.put(e.getKey(), defineClass(e.getKey(), e.getValue(), 0, e.getValue().length, pd));
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        Class<?> c = defined.get(name);
        return c != null ? c : super.loadClass(name, resolve);
    }

    /** Creates the recorder inside this loader. */
    RecorderControl newRecorder(SecurityManager previous, DenialSink sink, int maxThreads, ThreadGroup group)
            throws ReflectiveOperationException {
        Class<?> type = defined.get(PREFIX);
        return (RecorderControl) type.getConstructor(SecurityManager.class, DenialSink.class, int.class,
                ThreadGroup.class).newInstance(previous, sink, maxThreads, group);
    }
}
