package io.autoweave.http.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ahead of every servlet of every whiteboard context (the API's, the Web Console's, the health probes'): what a client
 * can get wrong is answered as the client's mistake, in the API's JSON error shape, never as a 5xx or with a class
 * name. Checked here before any servlet parses the request: path parameters (400: the servlet path would silently
 * drop them, so {@code /plugins/a;x=1/block} would act on {@code a}), an unknown method (405 with Allow, where the servlet base
 * class would answer 501), a malformed percent-escape or non-UTF-8 bytes in the query (400, where Jetty would throw
 * from {@code getParameter}), a form body over {@value #MAX_FORM_BYTES} bytes (413, where Jetty would throw). A parse
 * failure Jetty still raises inside a servlet (a bad form body) becomes its 4xx; any other failure a JSON 500 that
 * names no class (the log has the details).
 */
@Component(service = Filter.class, property = {
        HttpWhiteboardConstants.HTTP_WHITEBOARD_FILTER_PATTERN + "=/*",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_FILTER_NAME + "=autoweave-request-guard",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT + "=(" + HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_NAME
                + "=*)",
        "service.ranking:Integer=2147483647" })
public final class RequestGuard implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestGuard.class);
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS");
    /** Jetty's form limit (its default maxFormContentSize), checked before Jetty would throw over it. */
    static final int MAX_FORM_BYTES = 200_000;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse resp)) {
            chain.doFilter(request, response);
            return;
        }
        if (!METHODS.contains(req.getMethod())) {
            resp.setHeader("Allow", String.join(", ", new java.util.TreeSet<>(METHODS)));
            ApiSecurityContext.error(resp, 405, "method_not_allowed", "method '" + printable(req.getMethod())
                    + "' is not supported; use " + String.join(", ", new java.util.TreeSet<>(METHODS)));
            return;
        }
        if (req.getRequestURI() != null && req.getRequestURI().indexOf(';') >= 0) {
            // Servlet path matching drops ";params", so /plugins/com.example;evil=1/block would act on com.example
            ApiSecurityContext.error(resp, 400, "bad_request", "path parameters (';' in the path) are not accepted: "
                    + "name the resource exactly, and percent-encode a ';' that is part of a query value");
            return;
        }
        String problem = queryProblem(req.getQueryString());
        if (problem != null) {
            ApiSecurityContext.error(resp, 400, "bad_request", problem);
            return;
        }
        String type = req.getContentType() == null ? "" : req.getContentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded") && req.getContentLengthLong() > MAX_FORM_BYTES) {
            resp.setHeader("Connection", "close"); // the body is not read
            ApiSecurityContext.error(resp, 413, "too_large", "form body over " + MAX_FORM_BYTES + " bytes");
            return;
        }
        try {
            chain.doFilter(request, response);
        } catch (IOException e) {
            throw e; // the client went away
        } catch (ServletException | RuntimeException e) {
            int status = clientStatus(e);
            if (status == 500) {
                LOG.error("{} {} failed", req.getMethod(), req.getRequestURI(), e);
            }
            if (resp.isCommitted()) {
                return;
            }
            resp.reset();
            if (status == 500) {
                ApiSecurityContext.error(resp, 500, "internal_error",
                        "the request failed inside the runtime; its log has the details");
            } else {
                ApiSecurityContext.error(resp, status, status == 413 ? "too_large" : "bad_request",
                        "the request could not be read: " + clientMessage(e));
            }
        }
    }

    /** The 4xx of a failure caused by what the client sent (Jetty's BadMessageException, an oversized form), or 500. */
    static int clientStatus(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getName().endsWith(".BadMessageException")) {
                try {
                    int code = (Integer) t.getClass().getMethod("getCode").invoke(t);
                    return code >= 400 && code < 500 ? code : 400;
                } catch (ReflectiveOperationException | RuntimeException x) {
                    return 400;
                }
            }
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (t instanceof IllegalStateException && m.contains("form too large")) {
                return 413;
            }
            if (t instanceof IllegalStateException && m.contains("too many keys")) {
                return 413;
            }
        }
        return 500;
    }

    private static String clientMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && !m.contains("Exception") && !m.contains("org.")) {
                return printable(m);
            }
        }
        return "malformed request";
    }

    /**
     * What is wrong with a raw query string, or null: every {@code %} must start two hex digits and the decoded
     * bytes must be UTF-8.
     */
    static String queryProblem(String query) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        ByteBuffer bytes = ByteBuffer.allocate(query.length());
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            if (c == '%') {
                if (i + 2 >= query.length() || Character.digit(query.charAt(i + 1), 16) < 0
                        || Character.digit(query.charAt(i + 2), 16) < 0) {
                    return "malformed percent-escape at position " + (i + 1) + " of the query: '%' must be followed "
                            + "by two hex digits (write a literal % as %25)";
                }
                bytes.put((byte) Integer.parseInt(query.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (c > 0x7f) {
                return "the query must be ASCII: percent-encode other characters as UTF-8";
            } else {
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
        } catch (CharacterCodingException e) {
            return "the query's percent-escapes do not decode as UTF-8 (such as %ff): encode text as UTF-8";
        }
        return null;
    }

    /** At most 100 visible ASCII characters of something the client sent, for a message. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < 100; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
