package io.autoweave.security.internal;

import java.security.AccessControlException;
import java.security.AccessController;
import java.security.Permission;
import java.security.PrivilegedAction;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleReference;
import io.autoweave.api.plugin.PluginLocation;

/**
 * The JVM's SecurityManager while the security bundle is active: it delegates every check to the one the framework
 * installed and, only when that one throws, finds the plugin on the call stack and hands the denial to a
 * {@link Sink}. The allowed path costs one extra virtual call and a try block.
 *
 * <p>It also gives each plugin its own thread group ({@link #getThreadGroup()}) and denies a plugin's thread
 * creation once that group holds {@code maxThreads} live threads: thread creation is otherwise unrestricted under
 * the JDK's SecurityManager.
 *
 * <p>It is loaded by {@link IsolatedLoader} into a static AllPermission domain, not the bundle's: a SecurityManager
 * frame in a bundle protection domain would make every check evaluate that domain through ConditionalPermissionAdmin,
 * which itself checks a permission (Felix's DomainGripper creates an AccessControlContext), with this class on the
 * stack again: endless recursion. The framework's own SecurityManager has no such frame (boot class).
 *
 * <p>Code here runs with plugin frames on the stack, so everything that might itself be checked (class loader and
 * bundle lookups) runs inside {@code doPrivileged}, no lambda is linked lazily on this path, and a thread-local flag
 * stops recursion. The sink must be cheap and must not block: it is called on the plugin's thread.
 */
public final class DenialRecorder extends SecurityManager implements RecorderControl {
    private static final String NOT_A_PLUGIN = "-";
    /** A class of the security bundle itself (the console guard): skipped when attributing console output. */
    private static final String SELF = "=";
    /** The rule a denied access to another's thread or thread group is recorded under. */
    static final String FOREIGN_THREAD = "foreign-thread";

    private final SecurityManager previous;
    private final DenialSink sink;
    private final int maxThreads;
    private final ThreadGroup parentGroup;
    private final ClassLoader selfLoader;
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();
    private final ConcurrentHashMap<String, ThreadGroup> groups = new ConcurrentHashMap<>();
    private final ClassValue<String> pluginLocation = new ClassValue<String>() {
        @Override
        protected String computeValue(Class<?> type) {
            return AccessController.doPrivileged(new LocationOf(type, selfLoader));
        }
    };

    public DenialRecorder(SecurityManager previous, DenialSink sink, int maxThreads, ThreadGroup parentGroup) {
        this.previous = previous;
        this.sink = sink;
        this.maxThreads = maxThreads;
        this.parentGroup = parentGroup;
        this.selfLoader = getClass().getClassLoader().getParent();
        // link everything the denial path uses now, while no plugin is on the stack
        pluginLocation.get(DenialRecorder.class);
        new LocationOf(Object.class, null).run();
        busy.set(Boolean.TRUE);
        busy.remove();
    }

    @Override
    public SecurityManager previous() {
        return previous;
    }

    @Override
    public void checkPermission(Permission perm) {
        try {
            previous.checkPermission(perm);
        } catch (SecurityException e) {
            denied(perm, e, null);
            throw e;
        }
    }

    /**
     * Not recorded: this form evaluates a saved context, not the current stack (the framework checks, for example,
     * whether another bundle's service listener may see a service being registered), so the plugin on the stack is
     * not the one denied.
     */
    @Override
    public void checkPermission(Permission perm, Object context) {
        previous.checkPermission(perm, context);
    }

    @Override
    public ThreadGroup getThreadGroup() {
        if (busy.get() == null) {
            String location = pluginOnStack();
            if (location != null) {
                return groupOf(location);
            }
        }
        return previous.getThreadGroup();
    }

    /**
     * A plugin may modify (interrupt, rename, reprioritise, stop) only threads of its own thread group: without this
     * the JDK lets any code interrupt any thread outside the system group, and a plugin holding no permission at all
     * interrupted the framework's, Jetty's and the monitor's threads and took the runtime down.
     */
    @Override
    public void checkAccess(Thread t) {
        super.checkAccess(t);
        if (busy.get() != null) {
            return;
        }
        String location = pluginOnStack();
        if (location == null) {
            return;
        }
        ThreadGroup target = t.getThreadGroup(); // null once the thread ended: nothing left to harm
        if (target != null && !owns(location, target)) {
            RuntimePermission p = new RuntimePermission("modifyThread");
            AccessControlException e = new AccessControlException(location + " may not modify thread '" + t.getName()
                    + "' of group '" + target.getName() + "': a plugin may touch only its own threads", p);
            denied(p, e, FOREIGN_THREAD);
            throw e;
        }
    }

    @Override
    public void checkAccess(ThreadGroup g) {
        super.checkAccess(g);
        if (busy.get() != null) {
            return;
        }
        String location = pluginOnStack();
        if (location == null) {
            return;
        }
        if (!creatingThread() && !owns(location, g)) {
            // interrupt, setMaxPriority, setDaemon, destroy, stop... of a group that is not the plugin's own
            RuntimePermission p = new RuntimePermission("modifyThreadGroup");
            AccessControlException e = new AccessControlException(location + " may not modify thread group '"
                    + g.getName() + "': a plugin may touch only its own threads", p);
            denied(p, e, FOREIGN_THREAD);
            throw e;
        }
        ThreadGroup own = groups.get(location);
        if (own != null && own.activeCount() >= maxThreads) {
            RuntimePermission p = new RuntimePermission("modifyThreadGroup");
            AccessControlException e = new AccessControlException("thread limit: " + location + " already runs "
                    + maxThreads + " threads", p);
            denied(p, e, "thread-limit:" + maxThreads);
            throw e;
        }
    }

    /** Whether {@code g} is the plugin's own thread group or one inside it. */
    private boolean owns(String location, ThreadGroup g) {
        ThreadGroup own = groups.get(location);
        return own != null && (g == own || own.parentOf(g));
    }

    /**
     * Whether this group check is the one {@code Thread}'s constructor makes: the frames are this class,
     * ThreadGroup.checkAccess, then Thread.&lt;init&gt;. Creating threads stays governed by the thread limit only (the
     * JDK creates pool threads in groups of its own on a plugin's behalf).
     */
    private boolean creatingThread() {
        Class<?>[] stack = getClassContext();
        return stack.length > 2 && stack[2] == Thread.class;
    }

    /** Interrupts every thread the plugin started (threads cannot be killed; a blocked plugin's threads are asked to end). */
    @Override
    public void interruptThreads(String location) {
        ThreadGroup g = groups.get(location);
        if (g != null) {
            g.interrupt();
        }
    }

    @Override
    public Thread[] threads(String location) {
        ThreadGroup g = groups.get(location);
        if (g == null) {
            return new Thread[0];
        }
        Thread[] all = new Thread[g.activeCount() + 8];
        int n = g.enumerate(all, true);
        return n == all.length ? all : java.util.Arrays.copyOf(all, n);
    }

    @Override
    public String pluginOnCurrentStack() {
        if (busy.get() != null) {
            return null;
        }
        busy.set(Boolean.TRUE);
        try {
            return pluginOnStack(true);
        } finally {
            busy.remove();
        }
    }

    private ThreadGroup groupOf(String location) {
        ThreadGroup g = groups.get(location);
        if (g != null) {
            return g;
        }
        busy.set(Boolean.TRUE);
        try {
            ThreadGroup created = AccessController.doPrivileged(new NewGroup(parentGroup, location));
            ThreadGroup raced = groups.putIfAbsent(location, created);
            return raced == null ? created : raced;
        } finally {
            busy.remove();
        }
    }

    /**
     * The plugin responsible for the current call: the innermost frame that belongs to any bundle decides. JDK and
     * framework frames are skipped; if that frame is a runtime bundle (a library such as slf4j-simple reading a
     * property on a plugin's behalf and coping with the denial, or a core service acting for a plugin), the check is
     * that bundle's business, not a plugin's violation.
     */
    private String pluginOnStack() {
        return pluginOnStack(false);
    }

    /**
     * @param skipSelf for console output: the security bundle's own frames and every stream class on the way (Gogo's
     *        per-session ThreadPrintStream, a PrintStream a core bundle installed) are passed over, so the writer
     *        that printed decides, not a stream that forwards its bytes
     */
    private String pluginOnStack(boolean skipSelf) {
        for (Class<?> c : getClassContext()) {
            if (skipSelf && (java.io.OutputStream.class.isAssignableFrom(c) || java.io.Writer.class.isAssignableFrom(c))) {
                continue;
            }
            String l = pluginLocation.get(c);
            if (l.equals(SELF)) {
                if (skipSelf) {
                    continue;
                }
                return null;
            }
            if (!l.isEmpty()) {
                return l.equals(NOT_A_PLUGIN) ? null : l;
            }
        }
        return null;
    }

    private void denied(Permission perm, SecurityException e, String rule) {
        if (busy.get() != null) {
            return;
        }
        busy.set(Boolean.TRUE);
        try {
            String location = pluginOnStack();
            if (location != null) {
                sink.denied(location, perm, e.getStackTrace(), rule);
            }
        } catch (RuntimeException | StackOverflowError x) {
            // recording must never change the outcome of the check
        } finally {
            busy.remove();
        }
    }

    private static final class LocationOf implements PrivilegedAction<String> {
        private final Class<?> type;
        private final ClassLoader self;

        LocationOf(Class<?> type, ClassLoader self) {
            this.type = type;
            this.self = self;
        }

        @Override
        public String run() {
            ClassLoader cl = type.getClassLoader();
            if (cl != null && cl == self) {
                return SELF;
            }
            if (cl instanceof BundleReference) {
                Bundle b = ((BundleReference) cl).getBundle();
                String l = b == null ? null : b.getLocation();
                return PluginLocation.isPlugin(l) ? l : NOT_A_PLUGIN;
            }
            return "";
        }
    }

    private static final class NewGroup implements PrivilegedAction<ThreadGroup> {
        private final ThreadGroup parent;
        private final String name;

        NewGroup(ThreadGroup parent, String name) {
            this.parent = parent;
            this.name = name;
        }

        @Override
        public ThreadGroup run() {
            return new ThreadGroup(parent, name);
        }
    }
}
