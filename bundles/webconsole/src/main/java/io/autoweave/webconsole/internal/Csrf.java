package io.autoweave.webconsole.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

/**
 * Cross-site request forgery defence for the pages' forms. The console login is HTTP Basic, which a browser sends
 * along with any request to the console, including one a foreign page makes it send; so every state-changing
 * request must (1) carry the random token kept in the caller's session and printed into the page's forms, and (2)
 * come from a page of this origin ({@code Origin}, or {@code Referer} when a browser sends no Origin). A request
 * with neither header is refused: browsers send Origin with every form POST.
 */
final class Csrf {
    static final String PARAMETER = "csrf";
    private static final String ATTRIBUTE = "io.autoweave.webconsole.csrf";

    private final SecureRandom random = new SecureRandom();

    /** The session's token, created with the session on the first page view. */
    String token(HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        synchronized (session) {
            Object t = session.getAttribute(ATTRIBUTE);
            if (t instanceof String s) {
                return s;
            }
            byte[] raw = new byte[24];
            random.nextBytes(raw);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            session.setAttribute(ATTRIBUTE, token);
            return token;
        }
    }

    /**
     * Checks a state-changing request.
     *
     * @return null when it may proceed, otherwise why it may not (for the 403 answer)
     */
    String refusal(HttpServletRequest request, String submittedToken) {
        String origin = sourceOrigin(request);
        if (origin == null) {
            return "the request names no Origin or Referer; send it from the console page";
        }
        String expected = ownOrigin(request);
        if (expected == null || !origin.equals(expected)) {
            return "the request comes from " + origin + ", not from this console (" + expected + ")";
        }
        HttpSession session = request.getSession(false);
        Object known = session == null ? null : session.getAttribute(ATTRIBUTE);
        if (!(known instanceof String k) || submittedToken == null || submittedToken.isEmpty()) {
            return "the form's CSRF token is missing or the session expired; reload the page and try again";
        }
        if (!MessageDigest.isEqual(k.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                submittedToken.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            return "the form's CSRF token does not match this session; reload the page and try again";
        }
        return null;
    }

    /** scheme://host[:port] of the page that sent the request, lower-case, or null if none is named. */
    static String sourceOrigin(HttpServletRequest request) {
        String origin = request.getHeader("Origin");
        if (origin != null && !origin.isBlank() && !"null".equals(origin.trim())) {
            return normalize(origin.trim());
        }
        if ("null".equals(origin == null ? null : origin.trim())) {
            return "null"; // sandboxed or file: pages: never ours
        }
        String referer = request.getHeader("Referer");
        if (referer != null && !referer.isBlank()) {
            return normalize(referer.trim());
        }
        return null;
    }

    /** scheme://host[:port] this request was addressed to (its Host header), lower-case. */
    static String ownOrigin(HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host == null || host.isBlank()) {
            return null;
        }
        return normalize(request.getScheme() + "://" + host.trim());
    }

    static String normalize(String url) {
        try {
            URI u = new URI(url);
            if (u.getScheme() == null || u.getHost() == null) {
                return "invalid:" + url;
            }
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            int port = u.getPort();
            if (port == -1) {
                port = "https".equals(scheme) ? 443 : 80;
            }
            return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (URISyntaxException e) {
            return "invalid:" + url;
        }
    }
}
