package io.autoweave.auth;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/** Checks operator credentials. Implementations are slow on purpose for unknown passwords (key stretching). */
@ProviderType
public interface Authenticator {

    /**
     * Checks a user name and password.
     *
     * @return the authenticated user name, or empty when the credentials are wrong
     */
    Optional<String> authenticate(String user, char[] password);

    /**
     * Checks an HTTP {@code Authorization} header value ({@code Basic ...}).
     *
     * @return the authenticated user name, or empty when the header is missing, malformed or wrong
     */
    Optional<String> authenticateBasic(String authorizationHeader);

    /**
     * Records a failed authentication and says whether the caller is now over the failure limit. Failures are
     * counted per client address and per user name (the one in a Basic header; a wrong bearer token names none),
     * across every surface (Web Console and HTTP API). Only failures are limited: call this after the credentials
     * were checked and found wrong, never before checking, so right credentials always pass.
     *
     * @param client the client's address
     * @param authorizationHeader the request's {@code Authorization} header (null when absent)
     * @return seconds until the client or user is under the limit again (for {@code 429} and {@code Retry-After}),
     *         0 while under it (answer {@code 401})
     * @since 1.1
     */
    long failed(String client, String authorizationHeader);
}
