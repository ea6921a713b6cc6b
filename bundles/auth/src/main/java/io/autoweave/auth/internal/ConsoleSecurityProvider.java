package io.autoweave.auth.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.util.Optional;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.auth.Authenticator;

/**
 * Web Console login through the AutoWeave credentials. The launcher makes the console require this provider
 * ({@code felix.webconsole.security.providers=autoweave}), so the console is unreachable until it is present and
 * its built-in admin/admin never applies. Wrong credentials count against the shared failure limit
 * ({@link Authenticator#failed}): past it they get 429 with Retry-After; right ones always pass.
 */
@Component(property = SecurityProvider.PROPERTY_ID + "=autoweave")
public final class ConsoleSecurityProvider implements SecurityProvider {

    private final Authenticator authenticator;

    @Activate
    public ConsoleSecurityProvider(@Reference Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        Optional<String> user = authenticator.authenticateBasic(request.getHeader("Authorization"));
        if (user.isPresent()) {
            return user.get();
        }
        // a request without credentials is the browser asking for the login dialog, not a guess
        long wait = request.getHeader("Authorization") == null ? 0
                : authenticator.failed(request.getRemoteAddr(), request.getHeader("Authorization"));
        if (wait > 0) {
            response.setHeader("Retry-After", Long.toString(wait));
        } else {
            response.setHeader("WWW-Authenticate", "Basic realm=\"AutoWeave\", charset=\"UTF-8\"");
        }
        if (hasBody(request)) {
            // The refusal is committed below before the body was read. Jetty then cannot keep the connection (it
            // will not wait for a body nobody reads) and closes it after the answer: without saying so in the
            // header, a client reusing the connection for its next request reads nothing ("header parser
            // received no bytes" in the JDK client), which is what made WebConsoleIT fail on a loaded machine.
            response.setHeader("Connection", "close");
        }
        if (wait > 0) {
            byte[] body = ("too many failed logins from " + request.getRemoteAddr() + " or for this user; retry after "
                    + wait + " s\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            response.setStatus(429);
            response.setContentType("text/plain;charset=utf-8");
            response.setContentLength(body.length);
            try {
                response.getOutputStream().write(body);
            } catch (java.io.IOException e) {
                // the client went away
            }
        } else {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setContentLength(0);
        }
        try {
            response.flushBuffer();
        } catch (java.io.IOException e) {
            // the client went away; nothing more to tell it
        }
        return null;
    }

    /** Whether the request announces a body (length or chunked), which a refusal leaves unread. */
    static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    @Override
    public boolean authorize(Object user, String role) {
        return user != null;
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        // Basic authentication has no server-side session to end
    }
}
