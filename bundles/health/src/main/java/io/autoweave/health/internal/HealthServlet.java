package io.autoweave.health.internal;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogStatus;
import io.autoweave.api.plugin.PluginLocation;

/**
 * Probes for supervisors and load balancers. {@code /health/live}: the process answers HTTP. {@code /health/ready}:
 * the framework has reached its beginning start level (until then bundles are still being started: a plugin whose
 * start hangs must not look like a ready runtime), every core bundle is active and every enabled DS component of the
 * core bundles is satisfied. A ready runtime whose event log cannot write (disk full, I/O error) answers
 * {@code 200 {"status":"DEGRADED"}}: events are still taken (held in memory, bounded) and the log resumes by itself,
 * but a supervisor or an operator should look. Both are open without credentials and say only UP, DEGRADED or DOWN;
 * the reasons go to the authenticated API ({@code /api/v1/status}), {@code aw:eventlog} and the log.
 */
@Component(service = jakarta.servlet.Servlet.class, property = {
        HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/health/*",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME + "=autoweave-health" })
public final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient BundleContext context;
    private final transient ServiceComponentRuntime scr;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile EventLog eventLog;

    @Activate
    public HealthServlet(BundleContext context, @Reference ServiceComponentRuntime scr) {
        this.context = context;
        this.scr = scr;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        String status;
        switch (path) {
            case "/live": status = "UP"; break;
            case "/ready": status = !notReadyReasons().isEmpty() ? "DOWN" : degraded(eventLog) ? "DEGRADED" : "UP"; break;
            default:
                resp.sendError(HttpServletResponse.SC_NOT_FOUND, "use /health/live or /health/ready");
                return;
        }
        resp.setStatus("DOWN".equals(status) ? 503 : 200);
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.getWriter().write("{\"status\":\"" + status + "\"}");
    }

    /** Whether the event log exists and cannot write now (it holds events in memory until it can). */
    static boolean degraded(EventLog log) {
        if (log == null) {
            return false;
        }
        try {
            LogStatus st = log.status();
            return !st.writable();
        } catch (RuntimeException e) {
            return true; // a log that cannot even say how it is, is not healthy
        }
    }

    /** Why the runtime is not ready; empty when it is. */
    List<String> notReadyReasons() {
        List<String> reasons = new ArrayList<>();
        int wanted = beginningStartLevel();
        int now = context.getBundle(Constants.SYSTEM_BUNDLE_ID).adapt(FrameworkStartLevel.class).getStartLevel();
        if (now < wanted) {
            reasons.add("the framework is at start level " + now + " of " + wanted);
        }
        for (Bundle b : context.getBundles()) {
            if (!PluginLocation.isCore(b.getLocation()) || b.getHeaders("").get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            // a core bundle installed only for its packages (resolve-only in the runtime's bundle set) was never started
            boolean meantToRun = b.adapt(BundleStartLevel.class).isPersistentlyStarted();
            if (b.getState() != Bundle.ACTIVE && meantToRun) {
                reasons.add("bundle " + b.getSymbolicName() + " is not active");
            }
        }
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            Bundle b = context.getBundle(d.bundle.id);
            if (b == null || !PluginLocation.isCore(b.getLocation()) || !scr.isComponentEnabled(d)) {
                continue;
            }
            for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                if (c.state == ComponentConfigurationDTO.UNSATISFIED_REFERENCE
                        || c.state == ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION
                        || c.state == ComponentConfigurationDTO.FAILED_ACTIVATION) {
                    reasons.add("component " + d.name + " is not satisfied (state " + c.state + ")");
                }
            }
        }
        return reasons;
    }

    private int beginningStartLevel() {
        String p = context.getProperty(Constants.FRAMEWORK_BEGINNING_STARTLEVEL);
        try {
            return p == null ? 1 : Integer.parseInt(p.trim());
        } catch (NumberFormatException e) {
            return 1; // the framework itself falls back to 1
        }
    }
}
