package io.autoweave.security.internal;

import java.security.Permission;

/**
 * Receives denials from {@link DenialRecorder}; called on the denied thread, must be cheap and must not block. Public
 * and top-level because the recorder lives in another class loader ({@link IsolatedLoader}) and sees this type
 * through its parent.
 */
public interface DenialSink {
    void denied(String location, Permission permission, StackTraceElement[] stack, String rule);
}
