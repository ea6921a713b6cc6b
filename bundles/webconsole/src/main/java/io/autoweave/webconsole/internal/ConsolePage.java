package io.autoweave.webconsole.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.Part;

import org.apache.felix.webconsole.servlet.AbstractServlet;
import org.apache.felix.webconsole.servlet.ServletConstants;
import org.apache.felix.webconsole.servlet.User;

/**
 * What the three pages share: the console wraps {@link #renderContent} in its header and navigation; a POST is an
 * action, allowed only to a logged-in console user with a valid CSRF token from a page of this origin, and answered
 * with a redirect to the page (post/redirect/get), which then shows the outcome once.
 */
abstract class ConsolePage extends AbstractServlet {
    private static final long serialVersionUID = 1L;
    private static final String FLASH = "io.autoweave.webconsole.flash.";

    /** The outcome of an action, shown once on the next page view. */
    record Outcome(boolean ok, String message) {
        static Outcome ok(String message) {
            return new Outcome(true, message);
        }

        static Outcome failed(String message) {
            return new Outcome(false, message);
        }
    }

    private final transient Csrf csrf = new Csrf();

    /** The label: the page's path under the console root. */
    abstract String label();

    /** Serves a sub-path such as {@code /events}; returns false for an unknown one (the page is rendered). */
    boolean serve(String subPath, HttpServletRequest request, HttpServletResponse response) throws IOException {
        return false;
    }

    /** Performs one action of this page; only called for an authenticated, CSRF-checked request. */
    abstract Outcome act(String action, HttpServletRequest request, String user) throws IOException, ServletException;

    /** Writes the page body (inside the console's frame). */
    abstract void render(HttpServletRequest request, PrintWriter out, String csrfToken) throws IOException;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        // the pages hold one-click actions: never inside another site's frame
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("Content-Security-Policy", "frame-ancestors 'none'");
        String sub = subPath(request);
        if (!sub.isEmpty() && serve(sub, request, response)) {
            return;
        }
        super.doGet(request, response); // resources; otherwise the console renders the page around renderContent
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String user = user(request);
        if (user == null) {
            refuse(response, HttpServletResponse.SC_UNAUTHORIZED, "log in to the console first");
            return;
        }
        String refusal = csrf.refusal(request, parameter(request, Csrf.PARAMETER));
        if (refusal != null) {
            refuse(response, HttpServletResponse.SC_FORBIDDEN, "refused: " + refusal);
            return;
        }
        String action = parameter(request, "action");
        Outcome outcome;
        if (action == null || action.isBlank()) {
            outcome = Outcome.failed("no action given");
        } else {
            try {
                outcome = act(action, request, user);
            } catch (RuntimeException e) {
                outcome = Outcome.failed(action + " failed: " + e.getMessage());
            }
        }
        request.getSession(true).setAttribute(FLASH + label(), outcome);
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
        response.setHeader("Location", pluginRoot(request) + returnQuery(request));
    }

    /** Query string (with its '?') to return to after an action; the page's own filters, for example. */
    String returnQuery(HttpServletRequest request) {
        return "";
    }

    @Override
    public void renderContent(HttpServletRequest request, HttpServletResponse response) throws IOException {
        setNoCache(response);
        PrintWriter out = response.getWriter();
        String token = csrf.token(request);
        HttpSession session = request.getSession(false);
        Object flash = session == null ? null : session.getAttribute(FLASH + label());
        if (flash instanceof Outcome o) {
            session.removeAttribute(FLASH + label());
            out.println("<p class='statline ui-state-highlight" + (o.ok() ? "" : " ui-state-error")
                    + "' id='aw-outcome' data-ok='" + o.ok() + "'>" + Html.esc(o.message()) + "</p>");
        }
        render(request, out, token);
    }

    /** The hidden form fields every action form carries. */
    static String formFields(String token, String action) {
        return "<input type='hidden' name='" + Csrf.PARAMETER + "' value='" + Html.esc(token) + "'/>"
                + "<input type='hidden' name='action' value='" + Html.esc(action) + "'/>";
    }

    /** A one-button form posting {@code action} with {@code name=value}. */
    static String button(String pluginRoot, String token, String action, String name, String value, String text,
            String confirm) {
        return "<form method='post' action='" + Html.esc(pluginRoot) + "' class='aw-inline'"
                + (confirm == null ? "" : " onsubmit='return confirm(this.dataset.confirm)' data-confirm='"
                        + Html.esc(confirm) + "'")
                + ">" + formFields(token, action) + "<input type='hidden' name='" + Html.esc(name) + "' value='"
                + Html.esc(value) + "'/><button type='submit' class='ui-state-default ui-corner-all' data-action='"
                + Html.esc(action) + "' data-subject='" + Html.esc(value) + "'>" + Html.esc(text)
                + "</button></form>";
    }

    static String pluginRoot(HttpServletRequest request) {
        Object root = request.getAttribute(ServletConstants.ATTR_PLUGIN_ROOT);
        if (root instanceof String s) {
            return s;
        }
        Object app = request.getAttribute(ServletConstants.ATTR_APP_ROOT);
        return (app instanceof String a ? a : request.getContextPath() + request.getServletPath()) + "/"
                + request.getPathInfo().substring(1).split("/", 2)[0];
    }

    /** The console user's name, or null when the console let the request through without one. */
    static String user(HttpServletRequest request) {
        Object u = request.getAttribute(User.USER_ATTRIBUTE);
        if (u instanceof User user && user.getUserObject() != null) {
            return user.getUserObject().toString();
        }
        return null;
    }

    /** The path below the label: {@code /aw-devices/events} gives {@code /events}, the page itself "". */
    static String subPath(HttpServletRequest request) {
        String info = request.getPathInfo();
        if (info == null) {
            return "";
        }
        int slash = info.indexOf('/', 1);
        return slash < 0 ? "" : info.substring(slash);
    }

    /** A form field, from a url-encoded or a multipart form. */
    static String parameter(HttpServletRequest request, String name) throws IOException {
        String v = request.getParameter(name);
        if (v != null) {
            return v;
        }
        String type = request.getContentType();
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            try {
                Part p = request.getPart(name);
                if (p != null && p.getSubmittedFileName() == null && p.getSize() <= 4096) {
                    try (InputStream in = p.getInputStream()) {
                        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                }
            } catch (ServletException | IllegalStateException e) {
                return null; // not a readable multipart body: treated as a missing field
            }
        }
        return null;
    }

    static void refuse(HttpServletResponse response, int status, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().println(message);
    }
}
