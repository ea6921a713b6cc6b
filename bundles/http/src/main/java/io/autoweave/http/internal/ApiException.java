package io.autoweave.http.internal;

/** An answer other than success: status, machine code and a message that says what to fix. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    /** The refusing component's own code (e.g. the install gate's {@code UNSIGNED}), or null. */
    String reason;
    /** Seconds for a {@code Retry-After} header (503, 429), or 0 for none. */
    long retryAfterSeconds;

    ApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    ApiException withReason(String reasonCode) {
        this.reason = reasonCode;
        return this;
    }

    ApiException retryAfter(long seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message);
    }

    static ApiException unavailable(String message) {
        return new ApiException(503, "unavailable", message);
    }
}
