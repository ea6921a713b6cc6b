package io.autoweave.plugin.installer.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.commons.json.Json;
import io.autoweave.commons.text.Table;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.PluginInstaller;
import io.autoweave.plugin.installer.PluginMode;
import io.autoweave.security.SecurityMonitor;
import io.autoweave.plugin.installer.internal.repository.PluginRepositories;
import io.autoweave.plugin.installer.internal.repository.IndexedResource;

/** Gogo commands {@code aw:install}, {@code aw:plugins}, {@code aw:uninstall}, {@code aw:repos}. */
@Component(service = PluginCommands.class, property = { "osgi.command.scope=aw", "osgi.command.function=install",
        "osgi.command.function=plugins", "osgi.command.function=uninstall", "osgi.command.function=repos",
        "osgi.command.function=start", "osgi.command.function=stop" })
public final class PluginCommands {
    private static final String SOURCES = "file path, file: or https: URL, or obr:NAME[;version=RANGE] from the "
            + "configured repositories";

    private final PluginInstaller installer;
    private final PluginRepositories repositories;
    private final SecurityMonitor monitor;

    @Activate
    public PluginCommands(@Reference PluginInstaller installer, @Reference PluginRepositories repositories,
            @Reference SecurityMonitor monitor) {
        this.installer = installer;
        this.repositories = repositories;
        this.monitor = monitor;
    }

    @Descriptor("verify a signed plugin against the trust store, install it at security level medium and start it")
    public String install(@Descriptor(SOURCES) String source) throws PluginInstallException {
        return install(source, "medium");
    }

    @Descriptor("verify a signed plugin against the trust store, install it at the given level and start it")
    public String install(@Descriptor(SOURCES) String source,
            @Descriptor("security level: low, medium or high") String level) throws PluginInstallException {
        SecurityLevel lvl = SecurityLevel.parse(level);
        if (!source.trim().regionMatches(true, 0, PluginRepositories.OBR_PREFIX, 0, 4)) {
            return "installed " + line(installer.install(source, lvl));
        }
        List<Long> before = installer.plugins().stream().map(InstalledPlugin::bundleId).collect(Collectors.toList());
        InstalledPlugin p = installer.install(source, lvl);
        List<InstalledPlugin> deps = installer.plugins().stream()
                .filter(q -> !before.contains(q.bundleId()) && q.bundleId() != p.bundleId())
                .collect(Collectors.toList());
        return "installed " + line(p) + (deps.isEmpty() ? "" : System.lineSeparator() + "with dependencies:"
                + System.lineSeparator() + deps.stream().map(PluginCommands::line)
                        .collect(Collectors.joining(System.lineSeparator())));
    }

    @Descriptor("install a plugin by name from one repository index (with the dependencies it needs from there)")
    public String install(
            @Descriptor("repository: a directory with index.xml, an index file or URL") @Parameter(names = "--repo",
                    absentValue = "") String repo,
            @Descriptor("security level: low, medium or high") @Parameter(names = "--level",
                    absentValue = "medium") String level,
            @Descriptor("where it runs: in-process, or isolated (a confined JVM of its own); default: the "
                    + "installer's default.mode") @Parameter(names = "--mode", absentValue = "") String mode,
            @Descriptor("the plugin: " + SOURCES) String name) throws PluginInstallException {
        if (!mode.isBlank()) {
            if (!repo.isBlank()) {
                throw new PluginInstallException(InstallError.BAD_SOURCE, "--repo installs in process with the "
                        + "dependencies from the repository; --mode isolated takes a file or URL");
            }
            PluginMode m;
            try {
                m = PluginMode.parse(mode);
            } catch (IllegalArgumentException e) {
                throw new PluginInstallException(InstallError.BAD_SOURCE, e.getMessage(), e);
            }
            return "installed " + line(installer.install(name, SecurityLevel.parse(level), m));
        }
        if (repo.isBlank()) {
            return install(name, level);
        }
        String n = name.startsWith(PluginRepositories.OBR_PREFIX) ? name.substring(4) : name;
        return install(PluginRepositories.OBR_PREFIX + n + ";repository=" + repo, level);
    }

    private static final String JSON = "print JSON instead of a table";

    @Descriptor("list the configured plugin repositories and what they hold")
    public String repos(@Descriptor(JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json) {
        return repos(json, new String[0]);
    }

    @Descriptor("list plugin repositories and what they hold")
    public String repos(@Descriptor(JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json,
            @Descriptor("repository locations to read instead of the configured ones") String... locations) {
        List<String> where = locations.length == 0 ? repositories.configured() : List.of(locations);
        if (where.isEmpty()) {
            return json ? Json.write(Map.of("repositories", List.of()))
                    : "no plugin repositories configured (repositories in etc/io.autoweave.plugin.installer.cfg)";
        }
        List<Map<String, Object>> out = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (PluginRepositories.Repository r : repositories.read(where)) {
            Map<String, Object> repo = new LinkedHashMap<>();
            repo.put("location", r.location());
            out.add(repo);
            if (r.error() != null) {
                repo.put("error", String.valueOf(r.error().code()));
                repo.put("message", r.error().getMessage());
                text.append(r.location()).append("  UNREADABLE ").append(r.error().code()).append(": ")
                        .append(r.error().getMessage()).append(System.lineSeparator());
                continue;
            }
            List<Map<String, Object>> resources = new ArrayList<>();
            repo.put("resources", resources);
            Table t = new Table("SYMBOLIC NAME", "VERSION", "TYPE", "REQUIREMENTS", "CONTENT");
            for (IndexedResource x : r.resources()) {
                long reqs = x.requirements().stream().filter(q -> !q.optional() && q.effectiveAtResolve()).count();
                t.row(x.symbolicName(), x.version(), x.type(), reqs, x.content());
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("symbolic_name", x.symbolicName());
                m.put("version", String.valueOf(x.version()));
                m.put("type", x.type());
                m.put("requirements", reqs);
                m.put("content", String.valueOf(x.content()));
                resources.add(m);
            }
            text.append(r.location()).append("  ").append(r.resources().size()).append(" resources")
                    .append(System.lineSeparator());
            if (t.size() > 0) {
                text.append(t.toString().indent(2));
            }
        }
        return json ? Json.write(Map.of("repositories", out)) : text.toString().stripTrailing();
    }

    @Descriptor("list the installed plugins with their state, level, violations and whether they are blocked")
    public String plugins(@Descriptor(JSON) @Parameter(names = "--json", presentValue = "true",
            absentValue = "false") boolean json) {
        List<InstalledPlugin> all = installer.plugins();
        if (json) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (InstalledPlugin p : all) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("bundle_id", p.isolated() ? null : p.bundleId());
                m.put("mode", p.mode().label());
                m.put("symbolic_name", p.symbolicName());
                m.put("version", p.version());
                m.put("state", p.state().name());
                m.put("level", p.level() == null ? null : p.level().name().toLowerCase(java.util.Locale.ROOT));
                m.put("location", p.location());
                m.put("signer", p.signer());
                m.put("sha256", p.sha256());
                m.put("violations", monitor.violations(p.symbolicName()).size());
                m.put("blocked", monitor.isBlocked(p.symbolicName()));
                m.put("blocked_reason", monitor.blocked().get(p.symbolicName()));
                list.add(m);
            }
            return Json.write(Map.of("plugins", list));
        }
        if (all.isEmpty()) {
            return "no plugins installed";
        }
        Table t = new Table("ID", "STATE", "LEVEL", "PLUGIN", "VERSION", "VIOLATIONS", "BLOCKED", "LOCATION / SIGNER");
        for (InstalledPlugin p : all) {
            t.row(p.isolated() ? "isolated" : Long.toString(p.bundleId()), p.state(), p.level(), p.symbolicName(), p.version(),
                    monitor.violations(p.symbolicName()).size(),
                    monitor.isBlocked(p.symbolicName()) ? "BLOCKED: " + monitor.blocked().get(p.symbolicName()) : "no",
                    p.location() + (p.signer() == null ? "" : "  signed by " + p.signer()));
        }
        return t.toString();
    }

    @Descriptor("start a plugin (refused while it is blocked or the system is locked down); audited")
    public String start(@Descriptor("symbolic name or bundle id") String plugin) throws PluginInstallException {
        return "started " + line(installer.start(plugin, "gogo"));
    }

    @Descriptor("stop a plugin; audited")
    public String stop(@Descriptor("symbolic name or bundle id") String plugin) throws PluginInstallException {
        return "stopped " + line(installer.stop(plugin, "gogo"));
    }

    @Descriptor("stop and uninstall a plugin")
    public String uninstall(@Descriptor("symbolic name or bundle id") String plugin) throws PluginInstallException {
        return "uninstalled " + line(installer.uninstall(plugin));
    }

    static String line(InstalledPlugin p) {
        return String.format("%4s %-8s %-7s %s %s  %s%s", p.isolated() ? "-" : Long.toString(p.bundleId()), p.state(),
                p.level(), p.symbolicName(), p.version(), p.location(),
                p.signer() == null ? "" : "  signed by " + p.signer());
    }
}
