package io.autoweave.http.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.PluginInstaller;
import io.autoweave.plugin.installer.PluginMode;
import io.autoweave.security.AuditRecord;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.security.Violation;
import io.autoweave.commons.ident.Identifiers;
import io.autoweave.commons.json.JsonParser;

/**
 * {@code /api/v1/plugins}: list and show plugins; install (the jar as the body, or {@code {"url", "level"}}), always
 * through the {@link PluginInstaller} and its signature gate; start, stop, block, unblock, uninstall. Roles are
 * checked by {@link ApiSecurityContext#required}: viewers read, operators start and stop, admins do the rest.
 */
@Component(service = Servlet.class, property = {
        HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/api/v1/plugins/*",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT + "=" + ApiSecurityContext.SELECT })
public final class PluginsServlet extends ApiResource {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(PluginsServlet.class);
    static final int DETAIL_RECORDS = 20;

    private final transient BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile PluginInstaller installer;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile SecurityMonitor monitor;

    @Activate
    public PluginsServlet(BundleContext context) {
        this.context = context;
    }

    private PluginInstaller installer() {
        PluginInstaller i = installer;
        if (i == null) {
            throw ApiException.unavailable("the plugin installer is not running");
        }
        return i;
    }

    private SecurityMonitor monitor() {
        SecurityMonitor m = monitor;
        if (m == null) {
            throw ApiException.unavailable("the security monitor is not running");
        }
        return m;
    }

    // ---- reads -------------------------------------------------------------------------------------------------------

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String[] path = segments(req);
        onlyParameters(req, Set.of());
        if (path.length == 0) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (InstalledPlugin p : installer().plugins()) {
                list.add(describe(p));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("count", list.size());
            body.put("plugins", list);
            json(resp, 200, body);
            return;
        }
        if (path.length > 1) {
            throw ApiException.notFound("no resource " + req.getRequestURI() + ": GET /api/v1/plugins/NAME");
        }
        InstalledPlugin p = find(path[0]);
        Map<String, Object> body = describe(p);
        List<Map<String, Object>> violations = new ArrayList<>();
        List<Violation> all = monitor().violations(p.symbolicName());
        for (Violation v : all.subList(Math.max(0, all.size() - DETAIL_RECORDS), all.size())) {
            violations.add(SecurityServlet.violation(v));
        }
        body.put("recent_violations", violations);
        List<Map<String, Object>> audit = new ArrayList<>();
        for (AuditRecord r : monitor().audit("subject=" + p.symbolicName(), DETAIL_RECORDS)) {
            audit.add(SecurityServlet.audit(r));
        }
        body.put("recent_audit", audit);
        json(resp, 200, body);
    }

    private Map<String, Object> describe(InstalledPlugin p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("symbolic_name", p.symbolicName());
        m.put("version", p.version());
        m.put("bundle_id", p.isolated() ? null : p.bundleId());
        m.put("mode", p.mode().label());
        m.put("state", p.state() == null ? null : p.state().name());
        m.put("level", p.level() == null ? null : p.level().name().toLowerCase(Locale.ROOT));
        m.put("location", p.location());
        m.put("signer", p.signer());
        m.put("sha256", p.sha256());
        SecurityMonitor s = monitor;
        if (s != null) {
            m.put("blocked", s.isBlocked(p.symbolicName()));
            m.put("blocked_reason", s.blocked().get(p.symbolicName()));
            m.put("violations", s.violations(p.symbolicName()).size());
        }
        return m;
    }

    /** A plugin name from the path, checked strictly: 400 before anything looks it up or acts on it. */
    static String checkedName(String name) {
        try {
            return Identifiers.symbolicName(name);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "invalid_name", e.getMessage());
        }
    }

    private InstalledPlugin find(String name) {
        checkedName(name);
        for (InstalledPlugin p : installer().plugins()) {
            if (p.symbolicName().equals(name)) {
                return p;
            }
        }
        throw ApiException.notFound("no plugin '" + name + "' is installed (GET /api/v1/plugins lists them)");
    }

    // ---- actions -----------------------------------------------------------------------------------------------------

    @Override
    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String[] path = segments(req);
        if (path.length == 0) {
            install(req, resp);
            return;
        }
        if (path.length != 2) {
            throw ApiException.notFound("no resource " + req.getRequestURI()
                    + ": POST /api/v1/plugins/NAME/start|stop|block|unblock");
        }
        onlyParameters(req, Set.of());
        String name = checkedName(path[0]);
        Principal who = (Principal) req.getAttribute(Principal.REQUEST_ATTRIBUTE);
        String by = who == null ? "REST" : who.name() + " (REST)";
        switch (path[1]) {
            case "start": startOrStop(name, true, by); break;
            case "stop": startOrStop(name, false, by); break;
            case "block": block(name, reason(req, "blocked by " + by)); break;
            case "unblock":
                if (!monitor().unblock(name, reason(req, "unblocked by " + by))) {
                    throw new ApiException(409, "not_blocked", name + " is not blocked");
                }
                break;
            default:
                throw ApiException.notFound("no action '" + path[1] + "': use start, stop, block or unblock");
        }
        LOG.info("AUDIT REST {} {} by {}", path[1], name, by);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", path[1]);
        body.put("plugin", name);
        body.put("blocked", monitor().isBlocked(name));
        installer().plugins().stream().filter(p -> p.symbolicName().equals(name)).findFirst()
                .ifPresent(p -> body.put("state", describe(p).get("state")));
        json(resp, 200, body);
    }

    /** Start or stop through the installer, which checks blocks and lockdown and audits. */
    private void startOrStop(String name, boolean start, String by) {
        try {
            if (start) {
                installer().start(name, by);
            } else {
                installer().stop(name, by);
            }
        } catch (PluginInstallException e) {
            throw refusal(e);
        }
    }

    private void block(String name, String reason) {
        SecurityMonitor s = monitor();
        if (s.isBlocked(name)) {
            throw new ApiException(409, "already_blocked", name + " is blocked already: " + s.blocked().get(name));
        }
        s.block(name, reason, "operator");
    }

    /** The optional {@code {"reason": "..."}} body of block and unblock. */
    private String reason(HttpServletRequest req, String fallback) throws IOException {
        String body = new String(req.getInputStream().readNBytes(16 * 1024), StandardCharsets.UTF_8).trim();
        if (body.isEmpty()) {
            return fallback;
        }
        Object json = parseJson(body);
        if (!(json instanceof Map<?, ?> m) || (m.get("reason") != null && !(m.get("reason") instanceof String))
                || !Set.of("reason").containsAll(m.keySet())) {
            throw ApiException.badRequest("the body is optional; if given, it is {\"reason\": \"text\"}");
        }
        Object r = m.get("reason");
        return r == null || ((String) r).isBlank() ? fallback : fallback + ": " + r;
    }

    @Override
    void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String[] path = segments(req);
        if (path.length != 1) {
            throw ApiException.notFound("no resource " + req.getRequestURI() + ": DELETE /api/v1/plugins/NAME");
        }
        onlyParameters(req, Set.of());
        find(path[0]); // 404 before the installer's message, which speaks of Gogo
        try {
            InstalledPlugin p = installer().uninstall(path[0]);
            Map<String, Object> body = describe(p);
            body.put("state", "UNINSTALLED");
            json(resp, 200, body);
        } catch (PluginInstallException e) {
            throw refusal(e);
        }
    }

    // ---- install -----------------------------------------------------------------------------------------------------

    private void install(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String type = req.getContentType() == null ? "" : req.getContentType().toLowerCase(Locale.ROOT);
        InstalledPlugin p;
        if (type.startsWith("application/json")) {
            onlyParameters(req, Set.of());
            p = installFromUrl(req);
        } else if (type.startsWith("application/java-archive") || type.startsWith("application/octet-stream")
                || type.startsWith("application/x-java-archive")) {
            onlyParameters(req, Set.of("level", "mode"));
            p = installUpload(req, level(req.getParameter("level")), mode(req.getParameter("mode")));
        } else {
            throw new ApiException(415, "unsupported_media_type", "send the plugin jar as the body with Content-Type "
                    + "application/java-archive (level in ?level=low|medium|high, optionally ?mode=in-process|isolated), or JSON {\"url\": \"https://...\", "
                    + "\"level\": \"medium\"} with Content-Type application/json; not '" + req.getContentType() + "'");
        }
        resp.setHeader("Location", "/api/v1/plugins/" + p.symbolicName());
        json(resp, 201, describe(p));
    }

    /** The requested mode; null (the installer's default) when the request names none. */
    private static PluginMode mode(String text) {
        if (text == null) {
            return null;
        }
        try {
            return PluginMode.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static SecurityLevel level(String text) {
        if (text == null) {
            return SecurityLevel.MEDIUM;
        }
        try {
            return SecurityLevel.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("level: " + e.getMessage());
        }
    }

    private InstalledPlugin installFromUrl(HttpServletRequest req) throws IOException {
        byte[] raw = req.getInputStream().readNBytes(64 * 1024 + 1);
        if (raw.length > 64 * 1024) {
            throw new ApiException(413, "too_large", "a JSON install request is at most 64 KiB");
        }
        Object json = parseJson(new String(raw, StandardCharsets.UTF_8));
        String usage = "the body must be {\"url\": \"https://...\", \"level\": \"low|medium|high\"} or, from the "
                + "configured repositories, {\"name\": \"com.example.plugin;version=[1,2)\", \"level\": \"...\"}, "
                + "optionally with \"mode\": \"in-process|isolated\"";
        if (!(json instanceof Map<?, ?> m) || !Set.of("url", "name", "level", "mode").containsAll(m.keySet())
                || (m.get("level") != null && !(m.get("level") instanceof String))
                || (m.get("mode") != null && !(m.get("mode") instanceof String))
                || (m.get("url") == null) == (m.get("name") == null)) {
            throw ApiException.badRequest(usage);
        }
        String source;
        if (m.get("name") != null) {
            if (!(m.get("name") instanceof String name) || name.isBlank()) {
                throw ApiException.badRequest(usage);
            }
            source = "obr:" + name.trim();
        } else {
            if (!(m.get("url") instanceof String url)) {
                throw ApiException.badRequest(usage);
            }
            String lower = url.trim().toLowerCase(Locale.ROOT);
            if (!lower.startsWith("https://") && !lower.startsWith("http://")) {
                throw ApiException.badRequest("url must be an https: URL (or http: to a loopback address), not '" + url
                        + "'; to install a local jar, send it as the body");
            }
            source = url.trim();
        }
        try {
            return install(source, level((String) m.get("level")), mode((String) m.get("mode")));
        } catch (PluginInstallException e) {
            throw refusal(e);
        }
    }

    /** With the installer's default mode when the request names none. */
    private InstalledPlugin install(String source, SecurityLevel level, PluginMode mode)
            throws PluginInstallException {
        return mode == null ? installer().install(source, level) : installer().install(source, level, mode);
    }

    private InstalledPlugin installUpload(HttpServletRequest req, SecurityLevel level, PluginMode mode)
            throws IOException {
        // set by ApiSecurityContext, which holds io.autoweave.http (last good): this servlet never restarts on a change
        long max = req.getAttribute(ApiSecurityContext.MAX_BODY_ATTRIBUTE) instanceof Long l ? l : 0;
        Path dir = context.getDataFile("uploads").toPath();
        Files.createDirectories(dir);
        Path file = Files.createTempFile(dir, "upload-", ".jar");
        try {
            long total = 0;
            try (InputStream in = req.getInputStream(); OutputStream out = Files.newOutputStream(file)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = in.read(buf)) > 0;) {
                    total += n;
                    if (total > max) {
                        throw new ApiException(413, "too_large", "the plugin is larger than " + max
                                + " bytes (max.plugin.bytes in " + ApiSecurityContext.PID + ")");
                    }
                    out.write(buf, 0, n);
                }
            }
            if (total == 0) {
                throw ApiException.badRequest("the body is empty: send the plugin jar");
            }
            try {
                return install(file.toString(), level, mode);
            } catch (PluginInstallException e) {
                throw refusal(e);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The installer's refusal as an answer: the status follows the error's kind (422 for what was refused). */
    static ApiException refusal(PluginInstallException e) {
        int status = switch (e.error().kind()) {
            case INVALID_REQUEST -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
            case REFUSED -> 422;
            case UNAVAILABLE -> 503;
        };
        return new ApiException(status, status == 422 ? "install_refused" : e.code().toLowerCase(Locale.ROOT),
                e.getMessage()).withReason(e.code());
    }

    private static Object parseJson(String text) {
        try {
            return JsonParser.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid JSON at " + e.getMessage());
        }
    }
}
