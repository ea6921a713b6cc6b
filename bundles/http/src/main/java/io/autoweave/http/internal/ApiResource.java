package io.autoweave.http.internal;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Base of the {@code /api/v1} resources: an {@link ApiException} becomes its JSON error answer, any other failure a
 * JSON 500 (logged), an unsupported method a JSON 405; query parameters are checked against the ones a resource
 * knows, so a typo answers 400 instead of being ignored.
 */
abstract class ApiResource extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiResource.class);

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        try {
            switch (req.getMethod()) {
                case "GET": get(req, resp); break;
                case "POST": post(req, resp); break;
                case "DELETE": delete(req, resp); break;
                default: throw new ApiException(405, "method_not_allowed", req.getMethod() + " is not supported on "
                        + req.getRequestURI());
            }
        } catch (ApiException e) {
            if (!resp.isCommitted()) {
                resp.reset(); // headers set before the refusal go too: the exception carries what it needs
                if (e.retryAfterSeconds > 0) {
                    resp.setHeader("Retry-After", Long.toString(e.retryAfterSeconds));
                }
                ApiSecurityContext.error(resp, e.status, e.code, e.getMessage(), e.reason);
            }
        } catch (IOException e) {
            throw e; // the client went away
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", req.getMethod(), req.getRequestURI(), e);
            if (!resp.isCommitted()) {
                resp.reset();
                // never a class name or stack trace in an answer: the log has them
                ApiSecurityContext.error(resp, 500, "internal_error",
                        "the request failed inside the runtime; its log has the details");
            }
        }
    }

    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        throw new ApiException(405, "method_not_allowed", "GET is not supported on " + req.getRequestURI());
    }

    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        throw new ApiException(405, "method_not_allowed", "POST is not supported on " + req.getRequestURI());
    }

    void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        throw new ApiException(405, "method_not_allowed", "DELETE is not supported on " + req.getRequestURI());
    }

    /** The path below the servlet's pattern split on '/', without empty parts. */
    static String[] segments(HttpServletRequest req) {
        String info = req.getPathInfo();
        if (info == null || info.equals("/")) {
            return new String[0];
        }
        return java.util.Arrays.stream(info.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    /** 400 for a query parameter not in {@code known}. */
    static void onlyParameters(HttpServletRequest req, Set<String> known) {
        for (String name : req.getParameterMap().keySet()) {
            if (!known.contains(name)) {
                throw ApiException.badRequest("unknown query parameter '" + name + "'"
                        + (known.isEmpty() ? ": this resource takes none" : ": use " + String.join(", ", known)));
            }
        }
    }

    /** An integer query parameter in {@code min..max}, or {@code absent} when not given. */
    static long number(HttpServletRequest req, String name, long min, long max, long absent) {
        String v = req.getParameter(name);
        if (v == null) {
            return absent;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is allowed
        }
        throw ApiException.badRequest(name + " must be a whole number from " + min + " to " + max + ", not '" + v
                + "'");
    }

    static void json(HttpServletResponse resp, int status, Object body) throws IOException {
        ApiServlet.json(resp, status, body);
    }
}
