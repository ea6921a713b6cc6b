package io.autoweave.http.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogStatus;
import io.autoweave.api.source.UsbSource;
import io.autoweave.commons.config.ConfigurationStatus;
import io.autoweave.commons.json.Json;

/** {@code /api/v1}: status (with every component configuration's state) and detection sources. Every answer is JSON; unknown paths answer a JSON 404. */
@Component(service = Servlet.class, property = {
        HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/api/v1/*",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT + "=" + ApiSecurityContext.SELECT })
public final class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient BundleContext context;
    final transient List<UsbSource> sources = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile EventLog eventLog;

    @Activate
    public ApiServlet(BundleContext context) {
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addSource(UsbSource s) {
        sources.add(s);
    }

    void removeSource(UsbSource s) {
        sources.remove(s);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final List<ConfigurationStatus> configurations = new CopyOnWriteArrayList<>();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        switch (path) {
            case "/status":
                json(resp, 200, status((Principal) req.getAttribute(Principal.REQUEST_ATTRIBUTE)));
                return;
            case "/sources":
                json(resp, 200, sourceList());
                return;
            default:
                ApiSecurityContext.error(resp, 404, "not_found", "no resource " + path + " under /api/v1");
        }
    }

    private Map<String, Object> status(Principal who) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("product", "AutoWeave");
        m.put("version", context.getBundle().getVersion().toString());
        m.put("uptime_ms", ManagementFactory.getRuntimeMXBean().getUptime());
        m.put("java", System.getProperty("java.version"));
        m.put("security", context.getProperty("org.osgi.framework.security"));
        if (who != null) {
            m.put("caller", Map.of("name", who.name(), "role", who.role().name().toLowerCase()));
        }
        m.put("sources", sourceList());
        EventLog log = eventLog;
        if (log != null) {
            LogStatus st = log.status();
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("state", st.writable() ? "WRITING" : "DEGRADED");
            l.put("reason", st.reason());
            l.put("since", st.sinceMillis());
            l.put("first_seq", log.firstSeq());
            l.put("last_seq", log.lastSeq());
            l.put("buffered", st.buffered());
            l.put("lost", st.lost());
            m.put("eventlog", l);
        }
        m.put("configuration", configurationList());
        return m;
    }

    /** Every component configuration: ok, or refused with key, value, reason and what runs instead. */
    private List<Map<String, Object>> configurationList() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ConfigurationStatus c : configurations) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", c.pid());
            m.put("refusals", c.refusals());
            ConfigurationStatus.Refusal r = c.error();
            m.put("state", r == null ? "ok" : "refused");
            if (r != null) {
                m.put("key", r.key());
                m.put("value", r.value());
                m.put("reason", r.reason());
                m.put("in_force", r.inForce());
                m.put("time", r.time().toString());
            }
            list.add(m);
        }
        list.sort((a, b) -> String.valueOf(a.get("pid")).compareTo(String.valueOf(b.get("pid"))));
        return list;
    }

    private List<Map<String, Object>> sourceList() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (UsbSource s : sources) {
            UsbSource.Health h = s.health();
            if (h == null) { // a source that cannot say must not take the whole report down
                h = new UsbSource.Health(UsbSource.State.FAILED, "no health reported", 0, 0);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("state", h.state().name());
            m.put("detail", h.detail());
            m.put("restarts", h.restarts());
            m.put("reports", h.reports());
            list.add(m);
        }
        return list;
    }

    static void json(HttpServletResponse resp, int status, Object body) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.getWriter().write(Json.write(body));
    }
}
