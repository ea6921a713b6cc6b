package io.autoweave.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Runs Gogo commands through the framework's real {@code CommandProcessor}, reflectively: the Gogo runtime lives
 * inside the framework, not on the test class path.
 */
final class Gogo implements AutoCloseable {

    private static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    private static final String SESSION = "org.apache.felix.service.command.CommandSession";

    private final BundleContext context;
    private final ServiceReference<?> ref;
    private final Object session;
    private final Method execute;
    private final Method close;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    Gogo(BundleContext context) throws Exception {
        this.context = context;
        this.ref = context.getServiceReference(PROCESSOR);
        if (ref == null) {
            throw new AssertionError("no Gogo CommandProcessor service");
        }
        Object processor = context.getService(ref);
        ClassLoader gogo = processor.getClass().getClassLoader();
        Class<?> processorType = Class.forName(PROCESSOR, false, gogo);
        Class<?> sessionType = Class.forName(SESSION, false, gogo);
        Method create = processorType.getMethod("createSession", java.io.InputStream.class,
                java.io.OutputStream.class, java.io.OutputStream.class);
        PrintStream sink = new PrintStream(printed, true, StandardCharsets.UTF_8);
        this.session = create.invoke(processor, new ByteArrayInputStream(new byte[0]), sink, sink);
        this.execute = sessionType.getMethod("execute", CharSequence.class);
        this.close = sessionType.getMethod("close");
    }

    /** The command's return value; a command's exception is rethrown as is. */
    Object run(String command) throws Exception {
        try {
            return execute.invoke(session, command);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    /** What commands printed to the session (rather than returned) so far. */
    String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        close.invoke(session);
        context.ungetService(ref);
    }
}
