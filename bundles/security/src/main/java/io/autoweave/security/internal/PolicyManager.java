package io.autoweave.security.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.condpermadmin.ConditionInfo;
import org.osgi.service.condpermadmin.ConditionalPermissionAdmin;
import org.osgi.service.condpermadmin.ConditionalPermissionInfo;
import org.osgi.service.condpermadmin.ConditionalPermissionUpdate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.commons.data.DataDirectory;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.api.plugin.PluginLocation;

/**
 * Keeps the ConditionalPermissionAdmin table equal to the policy directory the launcher was started with (framework
 * property {@code autoweave.policies}; absent when the runtime runs on the policy built into the jar, which cannot
 * change). A file added, changed or removed there is re-read after a short settle time and the whole table is
 * replaced in one {@link ConditionalPermissionUpdate#commit() commit}, so no check ever sees half a policy. A file
 * that does not parse, or a row the framework refuses, keeps the old table; the error names file and line. Every
 * reload and every refusal is in the audit log. Running bundles see new rows at their next permission check.
 */
@Component(service = PolicyManager.class, immediate = true, configurationPid = "io.autoweave.security.policy")
@Designate(ocd = PolicyConfig.class)
public final class PolicyManager {
    static final String POLICIES_PROPERTY = "autoweave.policies";
    private static final Logger LOG = LoggerFactory.getLogger(PolicyManager.class);

    /** One row of the table as the framework holds it, with the file and line it came from. */
    record RowView(int index, String decision, String name, String scope, String origin, String encoded,
            List<String> locations) {
    }

    /** What a reload did. */
    record Result(boolean changed, int rows, String summary) {
    }

    /** A reload that was refused; the old table stays. */
    static final class ReloadException extends Exception {
        private static final long serialVersionUID = 1L;

        ReloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ConditionalPermissionAdmin cpa;
    private final SecurityMonitor monitor;
    private final PermissionGenerations generations;
    private final Path dir;
    private final String dataDir;
    private volatile long settleMillis;
    private final LastGoodConfig<PolicyConfig, PolicyConfig> lastGood = new LastGoodConfig<>(
            "io.autoweave.security.policy", PolicyConfig.class, c -> {
                ConfigRefusal.range("settle.millis", c.settle_millis(), 50, 60_000);
                return c;
            });
    private final Map<String, String> origins = new HashMap<>(); // encoded row → file:line of the last good read
    private volatile String lastError;
    private WatchService watch;
    private Thread watcher;

    @Activate
    public PolicyManager(BundleContext ctx, @Reference ConditionalPermissionAdmin cpa,
            @Reference SecurityMonitor monitor, @Reference PermissionGenerations generations, PolicyConfig given,
            Map<String, Object> properties) {
        PolicyConfig config = lastGood.start(ctx, given, properties);
        this.cpa = cpa;
        this.monitor = monitor;
        this.generations = generations;
        String d = ctx.getProperty(POLICIES_PROPERTY);
        this.dir = d == null || d.isBlank() ? null : Path.of(d);
        this.dataDir = DataDirectory.find(ctx).map(Path::toString).orElse(null);
        this.settleMillis = config.settle_millis();
        if (dir == null) {
            LOG.info("policy: the built-in policy is in force (no --policies directory), nothing to watch");
            return;
        }
        try {
            reload("start"); // the files may have changed since the launcher read them
        } catch (ReloadException e) {
            LOG.error("policy: {} (the rows the launcher committed stay)", e.getMessage());
        }
        if (config.watch()) {
            startWatching();
        }
    }

    /** The settle time changes in place; switching the watch on or off applies at the next start. */
    @Modified
    void modified(PolicyConfig config, Map<String, Object> properties) {
        lastGood.modified(config, properties).ifPresent(c -> settleMillis = c.settle_millis());
    }

    @Deactivate
    void deactivate() {
        lastGood.close();
        try {
            if (watch != null) {
                watch.close();
            }
        } catch (IOException e) {
            LOG.debug("closing the policy watch: {}", e.toString());
        }
        if (watcher != null) {
            watcher.interrupt();
        }
    }

    /** The watched directory, or null on the built-in policy. */
    Path directory() {
        return dir;
    }

    /** The error of the last refused reload, null when the last reload succeeded. */
    String lastError() {
        return lastError;
    }

    private void startWatching() {
        try {
            watch = FileSystems.getDefault().newWatchService();
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            LOG.error("policy: cannot watch {} ({}); use aw:policy-reload after a change", dir, e.toString());
            return;
        }
        watcher = new Thread(this::watchLoop, "autoweave-policy-watch");
        watcher.setDaemon(true);
        watcher.start();
        LOG.info("policy: watching {} for changes", dir);
    }

    private void watchLoop() {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean relevant = drain(key);
                // let an editor finish: wait until the directory is quiet for the settle time
                for (WatchKey more; (more = watch.poll(settleMillis, TimeUnit.MILLISECONDS)) != null;) {
                    relevant |= drain(more);
                }
                if (relevant) {
                    try {
                        reload("change");
                    } catch (ReloadException e) {
                        LOG.error("policy: {}; the previous rows stay in force", e.getMessage());
                    }
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // deactivated
        }
    }

    private static boolean drain(WatchKey key) {
        boolean relevant = false;
        for (var event : key.pollEvents()) {
            Object ctx = event.context();
            relevant |= event.kind() == StandardWatchEventKinds.OVERFLOW
                    || (ctx instanceof Path p && p.getFileName().toString().endsWith(".policy"));
        }
        key.reset();
        return relevant;
    }

    /**
     * Reads the directory and, when its rows differ from the table, replaces the table in one commit.
     *
     * @param trigger why (start, change, operator) - for the log and audit
     * @throws ReloadException when the directory cannot be used; the table is unchanged then
     */
    synchronized Result reload(String trigger) throws ReloadException {
        if (dir == null) {
            throw new ReloadException("the runtime runs on the built-in policy (started without --policies DIR), "
                    + "so there is nothing to reload; start with --policies to change policy at run time", null);
        }
        List<PolicyFiles.Row> rows;
        List<ConditionalPermissionInfo> infos = new ArrayList<>();
        try {
            rows = PolicyFiles.read(dir, dataDir);
            for (PolicyFiles.Row r : rows) {
                try {
                    infos.add(cpa.newConditionalPermissionInfo(r.encoded()));
                } catch (IllegalArgumentException e) {
                    throw new PolicyFiles.PolicyException(r.file(), r.file() + " line " + r.line()
                            + ": invalid policy row: " + e.getMessage(), e);
                }
            }
        } catch (PolicyFiles.PolicyException e) {
            lastError = e.getMessage();
            monitor.audit("policy-reload-refused", String.valueOf(e.file()), "policy-files", e.getMessage()
                    + "; the previous rows stay in force");
            throw new ReloadException(e.getMessage(), e);
        }
        for (int attempt = 1;; attempt++) {
            ConditionalPermissionUpdate update = cpa.newConditionalPermissionUpdate();
            List<ConditionalPermissionInfo> table = update.getConditionalPermissionInfos();
            List<String> before = table.stream().map(ConditionalPermissionInfo::getEncoded).toList();
            List<String> after = infos.stream().map(ConditionalPermissionInfo::getEncoded).toList();
            Map<String, String> newOrigins = new HashMap<>();
            for (int i = 0; i < rows.size(); i++) {
                newOrigins.put(after.get(i), rows.get(i).origin());
            }
            if (before.equals(after)) {
                origins.clear();
                origins.putAll(newOrigins);
                lastError = null;
                LOG.debug("policy: {} unchanged ({} rows)", dir, after.size());
                return new Result(false, after.size(), after.size() + " rows from " + dir + ", unchanged");
            }
            table.clear();
            table.addAll(infos);
            if (update.commit()) {
                generations.bump("policy reloaded on " + trigger); // after the commit: cached answers are stale now
                origins.clear();
                origins.putAll(newOrigins);
                lastError = null;
                String summary = after.size() + " rows from " + dir + " (" + diff(before, after, table) + ")";
                LOG.info("AUDIT policy reloaded on {}: {}", trigger, summary);
                monitor.audit("policy-reloaded", dir.toString(), "policy-files:" + trigger, summary);
                return new Result(true, after.size(), summary);
            }
            if (attempt == 3) {
                throw new ReloadException("the policy table kept changing while it was being replaced; try again",
                        null);
            }
        }
    }

    private static String diff(List<String> before, List<String> after, List<ConditionalPermissionInfo> table) {
        Set<String> added = new LinkedHashSet<>();
        Set<String> removed = new LinkedHashSet<>();
        for (ConditionalPermissionInfo i : table) {
            if (!before.contains(i.getEncoded())) {
                added.add(i.getName());
            }
        }
        for (String b : before) {
            if (!after.contains(b)) {
                removed.add(nameOf(b));
            }
        }
        return "added or changed: " + (added.isEmpty() ? "none" : String.join(", ", added)) + "; removed or changed: "
                + (removed.isEmpty() ? "none" : String.join(", ", removed));
    }

    private static String nameOf(String encoded) {
        int end = encoded.lastIndexOf('"');
        int start = end <= 0 ? -1 : encoded.lastIndexOf('"', end - 1);
        return start < 0 || encoded.charAt(encoded.length() - 1) != '"' ? "(unnamed)"
                : encoded.substring(start + 1, end);
    }

    /** The table as the framework holds it now, in evaluation order. */
    synchronized List<RowView> rows() {
        List<RowView> out = new ArrayList<>();
        int i = 0;
        for (ConditionalPermissionInfo info : cpa.newConditionalPermissionUpdate().getConditionalPermissionInfos()) {
            List<String> locations = new ArrayList<>();
            for (ConditionInfo c : info.getConditionInfos()) {
                if (c.getType().endsWith("BundleLocationCondition") && c.getArgs().length > 0) {
                    locations.add(c.getArgs()[0]);
                }
            }
            String origin = origins.getOrDefault(info.getEncoded(), dir == null ? "built-in" : "not in the files");
            out.add(new RowView(++i, info.getAccessDecision().toUpperCase(), info.getName(), scope(locations),
                    origin, info.getEncoded(), locations));
        }
        return out;
    }

    /** core, plugins (every level), low, medium, high, or all (a row without location condition). */
    static String scope(List<String> locations) {
        if (locations.isEmpty()) {
            return "all";
        }
        return locations.stream().map(l -> {
            if (PluginLocation.isCore(l)) {
                return "core";
            }
            if (l.equals(PluginLocation.PLUGIN_SCHEME + "*")) {
                return "plugins";
            }
            if (PluginLocation.isPlugin(l) && l.indexOf('/') > 0) {
                return l.substring(PluginLocation.PLUGIN_SCHEME.length(), l.indexOf('/'));
            }
            return l;
        }).collect(Collectors.joining(","));
    }

    /**
     * Whether a row applies to plugins of this level: each of its location patterns admits some location
     * {@code plugin:LEVEL/...} (a row for one plugin of that level included).
     */
    static boolean appliesTo(RowView row, String level) {
        String prefix = PluginLocation.PLUGIN_SCHEME + level + "/";
        return row.locations().stream().allMatch(l -> {
            if (!l.endsWith("*")) {
                return l.startsWith(prefix);
            }
            String p = l.substring(0, l.length() - 1);
            return prefix.startsWith(p) || p.startsWith(prefix);
        });
    }
}
