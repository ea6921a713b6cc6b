package io.autoweave.webconsole.internal;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.condpermadmin.ConditionalPermissionAdmin;
import org.osgi.service.condpermadmin.ConditionalPermissionInfo;
import org.osgi.service.permissionadmin.PermissionInfo;

import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.security.AuditRecord;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.api.plugin.PluginLocation;

/**
 * Console page "Security": lockdown state (and its switch), blocked plugins, the ConditionalPermissionAdmin rows as
 * they apply to the runtime's own bundles and to plugins of each level, and the audit log with filters.
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + SecurityPage.LABEL, ServletConstants.PLUGIN_TITLE + "=Security",
        ServletConstants.PLUGIN_CATEGORY + "=AutoWeave" })
public final class SecurityPage extends ConsolePage {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "aw-security";
    /** An example location of each group, to decide which rows apply to it. */
    private static final String CORE_LOCATION = PluginLocation.CORE_PREFIX + "any";

    private final transient SecurityMonitor monitor;
    /** Holds the pages' configuration (last good), so a bad value never takes a page down. */
    private final transient DeviceFeed feed;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ConditionalPermissionAdmin cpa;

    @Activate
    public SecurityPage(@Reference SecurityMonitor monitor, @Reference DeviceFeed feed) {
        this.monitor = monitor;
        this.feed = feed;
    }

    @Override
    String label() {
        return LABEL;
    }

    @Override
    Outcome act(String action, HttpServletRequest request, String user) throws java.io.IOException {
        if (!action.equals("lockdown")) {
            return Outcome.failed("unknown action '" + action + "'");
        }
        String to = parameter(request, "to");
        if (!"on".equals(to) && !"off".equals(to)) {
            return Outcome.failed("lockdown: expected on or off, not '" + to + "'");
        }
        boolean on = to.equals("on");
        if (monitor.isLockdown() == on) {
            return Outcome.failed("lockdown is " + to + " already");
        }
        monitor.setLockdown(on, "switched " + to + " by " + user + " in the web console", "operator");
        return Outcome.ok("lockdown " + to);
    }

    // ---- the page -----------------------------------------------------------------------------------------------

    @Override
    void render(HttpServletRequest request, PrintWriter out, String token) {
        String root = pluginRoot(request);
        boolean lockdown = monitor.isLockdown();
        Map<String, String> blocked = monitor.blocked();
        out.println("<p class='statline ui-state-highlight" + (lockdown ? " ui-state-error" : "")
                + "' id='aw-lockdown' data-lockdown='" + lockdown + "'>Lockdown is " + (lockdown
                        ? "ON: installs are refused and every plugin is stopped" : "off") + ". " + blocked.size()
                + " plugin(s) blocked.</p>");
        out.println("<div class='ui-widget-header ui-corner-top buttonGroup'>"
                + button(root, token, "lockdown", "to", lockdown ? "off" : "on", lockdown ? "Lift lockdown"
                        : "Lock down", lockdown ? null : "Stop every plugin and refuse installs?") + "</div>");
        if (!blocked.isEmpty()) {
            out.println("<table id='aw-blocked' class='nicetable'><thead><tr><th>Blocked plugin</th><th>Reason</th>"
                    + "</tr></thead><tbody>");
            for (var e : blocked.entrySet()) {
                out.println("<tr><td>" + Html.esc(e.getKey()) + "</td><td>" + Html.esc(e.getValue()) + "</td></tr>");
            }
            out.println("</tbody></table>");
        }
        audit(request, out, root);
        policy(out);
    }

    private void policy(PrintWriter out) {
        ConditionalPermissionAdmin admin = cpa;
        out.println("<div class='ui-widget-header ui-corner-top buttonGroup' style='margin-top:1em'>Policy rows "
                + "(ConditionalPermissionAdmin, in the order the framework decides; a mark shows where a row applies)"
                + "</div>");
        if (admin == null) {
            out.println("<p>ConditionalPermissionAdmin is not available: framework security is off.</p>");
            return;
        }
        List<String[]> groups = new ArrayList<>();
        groups.add(new String[] { "Runtime", CORE_LOCATION });
        for (SecurityLevel l : SecurityLevel.values()) {
            String level = l.toString().toLowerCase(Locale.ROOT);
            groups.add(new String[] { "Plugins " + level, PluginLocation.PLUGIN_SCHEME + level + "/any" });
        }
        out.print("<table id='aw-policy' class='nicetable'><thead><tr><th>Row</th><th>Decision</th>"
                + "<th>Conditions</th>");
        for (String[] g : groups) {
            out.print("<th>" + Html.esc(g[0]) + "</th>");
        }
        out.println("<th>Permissions</th></tr></thead><tbody>");
        for (ConditionalPermissionInfo row : admin.newConditionalPermissionUpdate().getConditionalPermissionInfos()) {
            StringBuilder levels = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (String[] g : groups) {
                Boolean applies = PolicyView.applies(row.getConditionInfos(), g[1]);
                String mark = applies == null ? "?" : applies ? "&#10003;" : "";
                marks.append("<td class='aw-applies' style='text-align:center'>").append(mark).append("</td>");
                if (applies == null || applies) {
                    levels.append(g[1]).append(' ');
                }
            }
            out.println("<tr class='aw-policy-row' data-row='" + Html.esc(row.getName()) + "' data-applies='"
                    + Html.esc(levels.toString().trim()) + "'><td>" + Html.esc(row.getName()) + "</td><td>"
                    + Html.esc(row.getAccessDecision()) + "</td><td>" + Html.esc(conditions(row)) + "</td>" + marks
                    + "<td><pre>" + Html.esc(permissions(row.getPermissionInfos())) + "</pre></td></tr>");
        }
        out.println("</tbody></table>");
    }

    private static String conditions(ConditionalPermissionInfo row) {
        List<String> c = new ArrayList<>();
        for (var ci : row.getConditionInfos()) {
            String type = ci.getType().substring(ci.getType().lastIndexOf('.') + 1);
            c.add(type + " " + String.join(" ", ci.getArgs()));
        }
        return String.join("; ", c);
    }

    private static String permissions(PermissionInfo[] infos) {
        StringBuilder b = new StringBuilder();
        for (PermissionInfo p : infos) {
            b.append(p.getEncoded()).append('\n');
        }
        return b.toString();
    }

    private void audit(HttpServletRequest request, PrintWriter out, String root) {
        String plugin = trim(request.getParameter("plugin"));
        String decision = trim(request.getParameter("decision"));
        String text = trim(request.getParameter("text"));
        StringBuilder filter = new StringBuilder();
        if (!plugin.isEmpty()) {
            filter.append("subject=").append(plugin.replaceAll("\\s+", "")).append(' ');
        }
        if (!decision.isEmpty()) {
            filter.append("decision=").append(decision.replaceAll("\\s+", "")).append(' ');
        }
        if (!text.isEmpty()) {
            filter.append(text);
        }
        int auditRows = feed.settings().auditRows();
        List<AuditRecord> records = new ArrayList<>(monitor.audit(filter.toString().trim(), auditRows));
        if (!decision.isEmpty()) {
            records.removeIf(r -> !decision.equals(r.decision())); // the monitor matches substrings: blocked, unblocked
        }
        Collections.reverse(records); // newest first
        out.println("<form method='get' action='" + Html.esc(root) + "' id='aw-audit-filter'>"
                + "<div class='ui-widget-header ui-corner-top buttonGroup' style='margin-top:1em'>Audit log: "
                + "plugin <input type='text' name='plugin' size='30' value='" + Html.esc(plugin) + "'/> decision "
                + "<select name='decision'>" + option("", "any", decision));
        for (String d : List.of("install-accepted", "install-refused", "uninstalled", "denied", "warned", "blocked",
                "unblocked", "started", "stopped", "start-refused", "lockdown-on", "lockdown-off")) {
            out.print(option(d, d, decision));
        }
        out.println("</select> text <input type='text' name='text' size='20' value='" + Html.esc(text) + "'/> "
                + "<button type='submit'>Filter</button> <a href='" + Html.esc(root) + "'>clear</a></div></form>");
        out.println("<table id='aw-audit' class='nicetable'><thead><tr><th>Time</th><th>Decision</th><th>Subject</th>"
                + "<th>Rule</th><th>Detail</th></tr></thead><tbody>");
        if (records.isEmpty()) {
            out.println("<tr><td colspan='5'>No audit records" + (filter.length() == 0 ? "" : " match") + ".</td></tr>");
        }
        for (AuditRecord r : records) {
            out.println("<tr class='aw-audit' data-decision='" + Html.esc(r.decision()) + "' data-subject='"
                    + Html.esc(r.subject()) + "'><td style='white-space:nowrap'>" + Html.esc(Html.time(r.time())) + "</td><td>"
                    + Html.esc(r.decision()) + "</td><td>" + Html.esc(r.subject()) + "</td><td>" + Html.esc(r.rule())
                    + "</td><td>" + Html.esc(r.detail()) + "</td></tr>");
        }
        out.println("</tbody></table>");
        out.println("<p class='aw-hint'>Newest first, at most " + auditRows + " records; the full log is "
                + "DATA/security/audit.jsonl (aw:audit in the shell).</p>");
    }

    private static String option(String value, String text, String selected) {
        return "<option value='" + Html.esc(value) + "'" + (value.equals(selected) ? " selected='selected'" : "")
                + ">" + Html.esc(text) + "</option>";
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }
}
