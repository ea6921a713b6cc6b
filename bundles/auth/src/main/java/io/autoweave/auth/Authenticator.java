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
}
