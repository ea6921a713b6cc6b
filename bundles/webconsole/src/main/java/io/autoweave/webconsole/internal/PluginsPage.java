package io.autoweave.webconsole.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;

import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.condpermadmin.ConditionalPermissionAdmin;

import io.autoweave.api.metrics.MetricsCollector;
import io.autoweave.api.metrics.MetricsSource;
import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.commons.ident.Identifiers;
import io.autoweave.api.plugin.PluginState;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.PluginInstaller;
import io.autoweave.plugin.installer.PluginMode;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.security.Violation;

/**
 * Console page "Plugins": every installed plugin with its state, level, signer, the policy rows that grant its
 * permissions, its own {@code permissions.perm}, its violations, its live resource figures (from the resource
 * enforcer's metrics); actions install (upload, or by name from the repositories; always through
 * {@link PluginInstaller#install}, so the signature gate decides), start, stop, block, unblock, uninstall.
 *
 * <p><b>Size.</b> One page: its table and its six actions, each a few lines that call the installer or the security
 * monitor; split per action, one screen's behaviour would be spread over files (about 400 lines).
 */
@Component(service = Servlet.class, property = {
        ServletConstants.PLUGIN_LABEL + "=" + PluginsPage.LABEL, ServletConstants.PLUGIN_TITLE + "=Plugins",
        ServletConstants.PLUGIN_CATEGORY + "=AutoWeave" })
public final class PluginsPage extends ConsolePage {
    private static final long serialVersionUID = 1L;
    static final String LABEL = "aw-plugins";
    private static final int VIOLATIONS_SHOWN = 5;

    private final transient BundleContext ctx;
    private final transient PluginInstaller installer;
    private final transient SecurityMonitor monitor;
    /** Holds the pages' configuration (last good), so a bad value never takes a page down. */
    private final transient DeviceFeed feed;
    private final transient Path uploads;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    volatile ConditionalPermissionAdmin cpa;

    /** Per-plugin figures come from the metrics whiteboard (the resource enforcer labels them plugin=BSN). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    final transient List<MetricsSource> metrics = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Activate
    public PluginsPage(BundleContext ctx, @Reference PluginInstaller installer, @Reference SecurityMonitor monitor,
            @Reference DeviceFeed feed) {
        this.ctx = ctx;
        this.installer = installer;
        this.monitor = monitor;
        this.feed = feed;
        this.uploads = ctx.getDataFile("uploads").toPath();
    }

    @Override
    String label() {
        return LABEL;
    }

    // ---- actions ------------------------------------------------------------------------------------------------

    @Override
    Outcome act(String action, HttpServletRequest request, String user) throws IOException, ServletException {
        if (action.equals("install")) {
            return install(request);
        }
        if (action.equals("install-repository")) {
            return installFromRepository(request);
        }
        String plugin = parameter(request, "plugin");
        if (plugin == null || plugin.isBlank()) {
            return Outcome.failed(action + ": no plugin given");
        }
        try {
            Identifiers.symbolicName(plugin);
        } catch (IllegalArgumentException e) {
            return Outcome.failed(action + ": " + e.getMessage());
        }
        InstalledPlugin p = find(plugin);
        switch (action) {
            case "start", "stop" -> {
                if (p == null) {
                    return Outcome.failed(action + ": no installed plugin " + plugin);
                }
                return startStop(action, p, user);
            }
            case "block" -> {
                if (monitor.isBlocked(plugin)) {
                    return Outcome.failed(plugin + " is blocked already: " + monitor.blocked().get(plugin));
                }
                monitor.block(plugin, "blocked by " + user + " in the web console", "operator");
                return Outcome.ok("blocked " + plugin + (monitor.isLockdown() ? " (the system is in lockdown)" : ""));
            }
            case "unblock" -> {
                return monitor.unblock(plugin, "unblocked by " + user + " in the web console")
                        ? Outcome.ok("unblocked " + plugin + "; it stays stopped until started")
                        : Outcome.failed(plugin + " is not blocked");
            }
            case "uninstall" -> {
                try {
                    InstalledPlugin gone = installer.uninstall(plugin);
                    return Outcome.ok("uninstalled " + gone.symbolicName() + " " + gone.version());
                } catch (PluginInstallException e) {
                    return Outcome.failed("uninstall refused (" + e.code() + "): " + e.getMessage());
                }
            }
            default -> {
                return Outcome.failed("unknown action '" + action + "'");
            }
        }
    }

    private Outcome install(HttpServletRequest request) throws IOException, ServletException {
        Part part;
        try {
            part = request.getPart("file");
        } catch (IllegalStateException e) {
            return Outcome.failed("install refused: the upload is larger than the console accepts (" + e.getMessage()
                    + ")");
        } catch (ServletException e) {
            return Outcome.failed("install: send the plugin as a multipart/form-data upload (" + e.getMessage() + ")");
        }
        if (part == null || part.getSubmittedFileName() == null || part.getSize() == 0) {
            return Outcome.failed("install: choose a plugin archive (.jar) to upload");
        }
        long maxUpload = feed.settings().maxUploadBytes();
        if (part.getSize() > maxUpload) {
            return Outcome.failed("install refused: " + part.getSize() + " bytes is more than max.upload.bytes ("
                    + maxUpload + ")");
        }
        SecurityLevel level;
        try {
            level = SecurityLevel.parse(parameter(request, "level"));
        } catch (RuntimeException e) {
            return Outcome.failed("install: " + e.getMessage());
        }
        PluginMode mode;
        try {
            String m = parameter(request, "mode");
            mode = m == null || m.isBlank() ? null : PluginMode.parse(m);
        } catch (RuntimeException e) {
            return Outcome.failed("install: " + e.getMessage());
        }
        String name = fileName(part.getSubmittedFileName());
        Files.createDirectories(uploads);
        Path dir = Files.createTempDirectory(uploads, "upload");
        Path file = dir.resolve(name);
        try {
            try (InputStream in = part.getInputStream()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            InstalledPlugin p = mode == null ? installer.install(file.toString(), level)
                    : installer.install(file.toString(), level, mode);
            return Outcome.ok("installed " + p.symbolicName() + " " + p.version() + " at level "
                    + p.level().toString().toLowerCase(java.util.Locale.ROOT) + (p.isolated() ? ", isolated" : "")
                    + " (" + p.state() + "), signed by " + p.signer());
        } catch (PluginInstallException e) {
            // the temporary path says nothing to the operator; the name they uploaded does
            return Outcome.failed("install of " + name + " refused (" + e.code() + "): "
                    + String.valueOf(e.getMessage()).replace(file.toString(), name));
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
            part.delete();
        }
    }

    /** By name from the configured repositories (aw:repos), dependencies included, every jar through the gate. */
    private Outcome installFromRepository(HttpServletRequest request) throws IOException {
        String name = parameter(request, "name");
        if (name == null || name.isBlank()) {
            return Outcome.failed("install: give the plugin's symbolic name, optionally NAME;version=[1,2)");
        }
        SecurityLevel level;
        try {
            level = SecurityLevel.parse(parameter(request, "level"));
        } catch (RuntimeException e) {
            return Outcome.failed("install: " + e.getMessage());
        }
        try {
            InstalledPlugin p = installer.install("obr:" + name.trim(), level);
            return Outcome.ok("installed " + p.symbolicName() + " " + p.version() + " from the repositories at level "
                    + p.level().toString().toLowerCase(java.util.Locale.ROOT) + " (" + p.state() + "), signed by "
                    + p.signer());
        } catch (PluginInstallException e) {
            return Outcome.failed("install of " + name.trim() + " refused (" + e.code() + "): " + e.getMessage());
        }
    }

    /** The uploaded file's own name, without any path a browser may send, restricted to harmless characters. */
    static String fileName(String submitted) {
        String n = submitted.replace('\\', '/');
        n = n.substring(n.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
        if (n.isEmpty() || n.startsWith(".")) {
            n = "plugin" + n;
        }
        return n.length() > 100 ? n.substring(n.length() - 100) : n;
    }

    /** Through the installer, which refuses a blocked plugin or lockdown and audits either way. */
    private Outcome startStop(String action, InstalledPlugin p, String user) {
        String actor = user + " in the web console";
        try {
            if (action.equals("start")) {
                installer.start(p.symbolicName(), actor);
            } else {
                installer.stop(p.symbolicName(), actor);
            }
        } catch (PluginInstallException e) {
            return Outcome.failed(action + " refused: " + e.getMessage());
        }
        return Outcome.ok((action.equals("start") ? "started " : "stopped ") + p.symbolicName());
    }

    private InstalledPlugin find(String symbolicNameOrId) {
        for (InstalledPlugin p : installer.plugins()) {
            if (p.symbolicName().equals(symbolicNameOrId) || Long.toString(p.bundleId()).equals(symbolicNameOrId)) {
                return p;
            }
        }
        return null;
    }

    // ---- the page -----------------------------------------------------------------------------------------------

    @Override
    void render(HttpServletRequest request, PrintWriter out, String token) {
        String root = pluginRoot(request);
        List<InstalledPlugin> plugins = installer.plugins();
        Map<String, String> blocked = monitor.blocked();
        out.println("<p class='statline ui-state-highlight'>" + plugins.size() + " plugin(s) installed, "
                + blocked.size() + " blocked" + (monitor.isLockdown() ? "; LOCKDOWN: installs refused, plugins stopped"
                        : "") + ".</p>");

        out.println("<form method='post' enctype='multipart/form-data' action='" + Html.esc(root) + "' id='aw-install'>"
                + "<div class='ui-widget-header ui-corner-top buttonGroup'>" + formFields(token, "install")
                + "Install a signed plugin: <input type='file' name='file' accept='.jar' id='aw-install-file'/> "
                + "level <select name='level' id='aw-install-level'><option value='low'>low</option>"
                + "<option value='medium' selected='selected'>medium</option><option value='high'>high</option>"
                + "</select> mode <select name='mode' id='aw-install-mode'><option value='' selected='selected'>"
                + "default</option><option value='in-process'>in process</option><option value='isolated'>isolated "
                + "(own JVM)</option></select> <button type='submit' id='aw-install-button'>Install</button>"
                + " <span class='aw-hint'>(verified against the plugin trust store before the framework sees it)"
                + "</span></div></form>");
        out.println("<form method='post' action='" + Html.esc(root) + "' id='aw-install-repository'>"
                + "<div class='ui-widget-header buttonGroup'>" + formFields(token, "install-repository")
                + "Install from the repositories: <input type='text' name='name' size='40' id='aw-repo-name' "
                + "placeholder='com.example.plugin;version=[1,2)'/> level <select name='level' id='aw-repo-level'>"
                + "<option value='low'>low</option><option value='medium' selected='selected'>medium</option>"
                + "<option value='high'>high</option></select> <button type='submit' id='aw-repo-button'>Install"
                + "</button> <span class='aw-hint'>(with the libraries it needs; every jar through the same gate)"
                + "</span></div></form>");

        out.println("<table id='aw-plugins' class='nicetable'><thead><tr><th>Id</th><th>Plugin</th><th>Version</th>"
                + "<th>State</th><th>Level</th><th>Signer</th><th>Permissions</th><th>Violations</th>"
                + "<th>Resources</th><th>Actions</th></tr></thead><tbody>");
        if (plugins.isEmpty()) {
            out.println("<tr><td colspan='10'>No plugins installed.</td></tr>");
        }
        Map<String, Map<String, Double>> figures = pluginFigures();
        for (InstalledPlugin p : plugins) {
            String bsn = p.symbolicName();
            boolean isBlocked = blocked.containsKey(bsn);
            List<Violation> violations = monitor.violations(bsn);
            Bundle b = ctx.getBundle(p.bundleId());
            out.println("<tr class='aw-plugin' data-plugin='" + Html.esc(bsn) + "'><td>" + (p.isolated() ? "isolated"
                    : Long.toString(p.bundleId())) + "</td><td>"
                    + Html.esc(bsn) + "</td><td>" + Html.esc(p.version()) + "</td><td class='aw-state'>"
                    + Html.esc(p.state()) + (isBlocked ? "<br/><span class='ui-state-error-text'>blocked: "
                            + Html.esc(blocked.get(bsn)) + "</span>" : "") + "</td><td>"
                    + Html.esc(p.level() == null ? "?" : p.level().toString().toLowerCase(java.util.Locale.ROOT))
                    + "</td><td>"
                    + Html.esc(p.signer()) + "</td><td>" + permissions(p, b) + "</td><td>"
                    + violations(violations) + "</td><td>" + resources(b, figures.get(bsn)) + "</td><td>" + actions(root, token, p,
                            isBlocked, b) + "</td></tr>");
        }
        out.println("</tbody></table>");
        out.println("<p class='aw-hint'>Start and stop change the plugin's state only; block stops a plugin and keeps "
                + "it from resolving, also after a restart, until unblocked. Every action is written to the audit "
                + "log (see Security).</p>");
    }

    private String permissions(InstalledPlugin p, Bundle b) {
        if (p.isolated()) {
            return "own JVM (plugin host): the level's heap, CPU, task and file ceilings; USB grant decided in the "
                    + "runtime (aw:isolated)";
        }
        StringBuilder s = new StringBuilder();
        ConditionalPermissionAdmin admin = cpa;
        if (admin != null) {
            s.append("rows: ").append(Html.esc(String.join(", ", PolicyView.rowNamesFor(admin, p.location()))));
        }
        String local = b == null ? null : PolicyView.localPermissions(b);
        if (local != null) {
            s.append("<br/><details><summary>permissions.perm</summary><pre>").append(Html.esc(local))
                    .append("</pre></details>");
        }
        return s.toString();
    }

    private static String violations(List<Violation> violations) {
        if (violations.isEmpty()) {
            return "0";
        }
        StringBuilder s = new StringBuilder().append(violations.size()).append("<ul class='aw-violations'>");
        for (Violation v : violations.subList(Math.max(0, violations.size() - VIOLATIONS_SHOWN), violations.size())) {
            s.append("<li>").append(Html.esc(Html.time(v.time()))).append(' ').append(v.critical() ? "CRITICAL " : "")
                    .append(Html.esc(v.permission())).append(" (").append(Html.esc(v.rule())).append(v.repeats() > 1
                            ? ", x" + v.repeats() : "").append(")</li>");
        }
        return s.append("</ul>").toString();
    }

    /** Registered and used services: what the framework can tell without a resource enforcer. */
    private static String resources(Bundle b, Map<String, Double> f) {
        if (b == null) {
            return "-";
        }
        int registered = b.getRegisteredServices() == null ? 0 : b.getRegisteredServices().length;
        int used = b.getServicesInUse() == null ? 0 : b.getServicesInUse().length;
        String services = registered + " service(s) registered, " + used + " in use";
        if (f == null || f.isEmpty()) {
            return services;
        }
        return String.format(java.util.Locale.ROOT, "<span class='aw-figures'>cpu %.2f cores, alloc %.1f MB/s, "
                + "%d own thread(s), queue %d, p99 call %.1f ms, %d call(s), %d shed</span><br/>%s",
                f.getOrDefault("autoweave_plugin_cpu_cores", 0.0),
                f.getOrDefault("autoweave_plugin_alloc_bytes_per_second", 0.0) / 1e6,
                f.getOrDefault("autoweave_plugin_threads{own}", 0.0).longValue(),
                f.getOrDefault("autoweave_plugin_queue_depth", 0.0).longValue(),
                f.getOrDefault("autoweave_plugin_call_p99_seconds", 0.0) * 1e3,
                f.getOrDefault("autoweave_plugin_calls_total", 0.0).longValue(),
                f.getOrDefault("autoweave_plugin_events_shed_total", 0.0).longValue(), services);
    }

    /** The resource enforcer's live figures by plugin, read from the metrics whiteboard. */
    private Map<String, Map<String, Double>> pluginFigures() {
        Map<String, Map<String, Double>> byPlugin = new java.util.HashMap<>();
        MetricsCollector collector = new MetricsCollector() {
            @Override
            public void counter(String name, String help, double value, String... labels) {
                put(name, value, labels);
            }

            @Override
            public void gauge(String name, String help, double value, String... labels) {
                put(name, value, labels);
            }

            @Override
            public void histogram(String name, String help, double[] upperBounds, long[] bucketCounts, double sum,
                    long count, String... labels) {
            }

            private void put(String name, double value, String... labels) {
                if (!name.startsWith("autoweave_plugin_")) {
                    return;
                }
                String plugin = null;
                String kind = null;
                for (int i = 0; i + 1 < labels.length; i += 2) {
                    if (labels[i].equals("plugin")) {
                        plugin = labels[i + 1];
                    } else if (labels[i].equals("kind")) {
                        kind = labels[i + 1];
                    }
                }
                if (plugin != null) {
                    byPlugin.computeIfAbsent(plugin, k -> new java.util.HashMap<>())
                            .merge(kind == null || !name.equals("autoweave_plugin_threads") ? name : name + "{" + kind
                                    + "}", value, Double::sum);
                }
            }
        };
        for (MetricsSource m : metrics) {
            try {
                m.collect(collector);
            } catch (RuntimeException e) {
                // one failing source must not break the page
            }
        }
        return byPlugin;
    }

    private static String actions(String root, String token, InstalledPlugin p, boolean isBlocked, Bundle b) {
        String bsn = p.symbolicName();
        StringBuilder s = new StringBuilder();
        boolean active = p.isolated() ? p.state() == PluginState.RUNNING || p.state() == PluginState.STARTING
                : b != null && (b.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0;
        if (!isBlocked) {
            s.append(active ? button(root, token, "stop", "plugin", bsn, "Stop", null)
                    : button(root, token, "start", "plugin", bsn, "Start", null));
            s.append(button(root, token, "block", "plugin", bsn, "Block", null));
        } else {
            s.append(button(root, token, "unblock", "plugin", bsn, "Unblock", null));
        }
        s.append(button(root, token, "uninstall", "plugin", bsn, "Uninstall", "Uninstall " + bsn + "?"));
        return s.toString();
    }
}
