package io.autoweave.http.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

import io.autoweave.plugin.installer.PluginInstaller;
import io.autoweave.security.AuditRecord;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.security.Violation;

/**
 * {@code GET /api/v1/security} (lockdown, blocked plugins, counts), {@code /api/v1/security/audit?plugin=&decision=&limit=}
 * (the audit log, newest last) and {@code /api/v1/security/violations?plugin=&limit=}.
 */
@Component(service = Servlet.class, property = {
        HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/api/v1/security/*",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT + "=" + ApiSecurityContext.SELECT })
public final class SecurityServlet extends ApiResource {
    private static final long serialVersionUID = 1L;
    static final int MAX_LIMIT = 1000;
    /** A filter value: one word, since the monitor's filter separates terms by white space. */
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9._:+-]{1,200}");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile SecurityMonitor monitor;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile PluginInstaller installer;

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        SecurityMonitor m = monitor;
        if (m == null) {
            throw ApiException.unavailable("the security monitor is not running");
        }
        String[] path = segments(req);
        if (path.length == 0) {
            onlyParameters(req, Set.of());
            json(resp, 200, status(m));
        } else if (path.length == 1 && path[0].equals("audit")) {
            onlyParameters(req, Set.of("plugin", "decision", "limit"));
            StringBuilder filter = new StringBuilder();
            term(filter, "subject", req.getParameter("plugin"), "plugin");
            term(filter, "decision", req.getParameter("decision"), "decision");
            List<Map<String, Object>> list = new ArrayList<>();
            for (AuditRecord r : m.audit(filter.toString(), (int) number(req, "limit", 1, MAX_LIMIT, 100))) {
                list.add(audit(r));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("count", list.size());
            body.put("records", list);
            json(resp, 200, body);
        } else if (path.length == 1 && path[0].equals("violations")) {
            onlyParameters(req, Set.of("plugin", "limit"));
            String plugin = req.getParameter("plugin");
            if (plugin != null && !WORD.matcher(plugin).matches()) {
                throw ApiException.badRequest("plugin must be a symbolic name, not '" + plugin + "'");
            }
            List<Violation> all = m.violations(plugin);
            int limit = (int) number(req, "limit", 1, MAX_LIMIT, 100);
            List<Map<String, Object>> list = new ArrayList<>();
            for (Violation v : all.subList(Math.max(0, all.size() - limit), all.size())) {
                list.add(violation(v));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("total", all.size());
            body.put("count", list.size());
            body.put("violations", list);
            json(resp, 200, body);
        } else {
            throw ApiException.notFound("no resource " + req.getRequestURI()
                    + ": use /api/v1/security, /api/v1/security/audit or /api/v1/security/violations");
        }
    }

    private static void term(StringBuilder filter, String key, String value, String parameter) {
        if (value == null) {
            return;
        }
        if (!WORD.matcher(value).matches()) {
            throw ApiException.badRequest(parameter + " must be one word (letters, digits, . _ : + -), not '" + value
                    + "'");
        }
        filter.append(filter.length() == 0 ? "" : " ").append(key).append('=').append(value);
    }

    private Map<String, Object> status(SecurityMonitor m) {
        Map<String, Object> body = new LinkedHashMap<>();
        // without the SecurityManager (Java 24+) nothing confines a plugin in process: every plugin runs isolated
        @SuppressWarnings("removal")
        boolean frameworkSecurity = System.getSecurityManager() != null;
        body.put("framework_security", frameworkSecurity);
        body.put("plugin_modes", frameworkSecurity ? List.of("in-process", "isolated") : List.of("isolated"));
        body.put("lockdown", m.isLockdown());
        body.put("blocked", new TreeMap<>(m.blocked()));
        List<Violation> all = m.violations(null);
        Map<String, Integer> byPlugin = new TreeMap<>();
        int critical = 0;
        for (Violation v : all) {
            byPlugin.merge(v.plugin(), 1, Integer::sum);
            if (v.critical()) {
                critical++;
            }
        }
        body.put("violations", all.size());
        body.put("critical_violations", critical);
        body.put("violations_by_plugin", byPlugin);
        PluginInstaller i = installer;
        if (i != null) {
            Map<String, Integer> byState = new TreeMap<>();
            i.plugins().forEach(p -> byState.merge(p.state() == null ? "UNKNOWN" : p.state().name(), 1,
                    Integer::sum));
            Map<String, Integer> byMode = new TreeMap<>();
            i.plugins().forEach(p -> byMode.merge(p.mode().label(), 1, Integer::sum));
            body.put("plugins", i.plugins().size());
            body.put("plugins_by_state", byState);
            body.put("plugins_by_mode", byMode);
        }
        return body;
    }

    static Map<String, Object> audit(AuditRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", r.time() == null ? null : r.time().toString());
        m.put("decision", r.decision());
        m.put("subject", r.subject());
        m.put("rule", r.rule());
        m.put("detail", r.detail());
        return m;
    }

    static Map<String, Object> violation(Violation v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", v.time() == null ? null : v.time().toString());
        m.put("plugin", v.plugin());
        m.put("location", v.location());
        m.put("level", v.level() == null ? null : v.level().name().toLowerCase(Locale.ROOT));
        m.put("permission", v.permission());
        m.put("critical", v.critical());
        m.put("rule", v.rule());
        m.put("repeats", v.repeats());
        m.put("stack", v.stack());
        return m;
    }
}
