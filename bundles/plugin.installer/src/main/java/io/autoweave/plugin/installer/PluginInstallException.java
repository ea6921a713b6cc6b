package io.autoweave.plugin.installer;

import java.util.Objects;

/**
 * A refused or failed install, start, stop or uninstall. {@link #error()} is for machines (one of the
 * {@link InstallError} codes every surface shows), the message for people: it says what was found and what to fix.
 */
public class PluginInstallException extends Exception {
    private static final long serialVersionUID = 2L;

    private final InstallError error;

    public PluginInstallException(InstallError error, String message) {
        this(error, message, null);
    }

    public PluginInstallException(InstallError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    /** Why, for machines. */
    public InstallError error() {
        return error;
    }

    /** {@link #error()}'s name, e.g. {@code UNTRUSTED_SIGNER}: what the REST API and the audit log carry. */
    public String code() {
        return error.name();
    }
}
