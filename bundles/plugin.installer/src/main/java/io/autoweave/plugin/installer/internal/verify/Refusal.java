package io.autoweave.plugin.installer.internal.verify;
import io.autoweave.plugin.installer.InstallError;

/** Internal control flow of the verifier: the first failed check ends verification with a code and a reason. */
final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    final InstallError code;

    Refusal(InstallError code, String reason) {
        this(code, reason, null);
    }

    Refusal(InstallError code, String reason, Throwable cause) {
        // no stack trace: refusals are expected outcomes, and hostile input should not make them expensive
        super(reason, cause, false, false);
        this.code = code;
    }
}
