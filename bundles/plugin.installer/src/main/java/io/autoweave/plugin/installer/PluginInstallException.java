package io.autoweave.plugin.installer;

/**
 * A refused or failed install or uninstall. {@link #code()} is for machines, the message for people.
 *
 * <p>Codes: the install gate's verdicts ({@code UNSIGNED}, {@code UNTRUSTED_SIGNER}, {@code DIGEST_MISMATCH},
 * {@code UNSIGNED_ENTRY}, {@code CERTIFICATE_EXPIRED}, ... see the plugin.installer README), and
 * {@code NO_TRUST_STORE}, {@code TRUST_STORE_INVALID}, {@code BAD_SOURCE}, {@code DOWNLOAD_FAILED},
 * {@code DUPLICATE}, {@code INSTALL_FAILED}, {@code START_FAILED}, {@code NOT_INSTALLED}, {@code NOT_A_PLUGIN}, {@code LOCKDOWN} (the security monitor
 * locked the system down), {@code BLOCKED} (this symbolic name is blocked);
 * from repositories also {@code NO_REPOSITORY}, {@code BAD_INDEX} (with index, line and column),
 * {@code UNKNOWN_PLUGIN}, {@code UNRESOLVABLE} (naming the missing requirement) and {@code CONTENT_MISMATCH} (the
 * jar is not what the index says).
 */
public class PluginInstallException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String code;

    public PluginInstallException(String code, String message) {
        this(code, message, null);
    }

    public PluginInstallException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** Machine-readable reason, e.g. {@code UNTRUSTED_SIGNER}. */
    public String code() {
        return code;
    }
}
