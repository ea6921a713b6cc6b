package io.autoweave.security.internal;

/** What the monitor needs of the installed {@link DenialRecorder}, seen across the {@link IsolatedLoader} boundary. */
public interface RecorderControl {
    /** The SecurityManager the recorder delegates to (restored when the monitor stops). */
    SecurityManager previous();

    /** Interrupts every thread in the plugin's thread group. */
    void interruptThreads(String location);

    /** The live threads of the plugin's thread group; empty if it has none. */
    Thread[] threads(String location);

    /** The location of the plugin whose code is innermost on the current stack, or null (see DenialRecorder). */
    String pluginOnCurrentStack();
}
