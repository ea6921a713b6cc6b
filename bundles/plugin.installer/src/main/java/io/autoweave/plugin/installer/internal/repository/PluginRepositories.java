package io.autoweave.plugin.installer.internal.repository;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import org.osgi.framework.BundleContext;
import org.osgi.framework.VersionRange;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Component;

import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.internal.fetch.Fetcher;
import io.autoweave.plugin.installer.internal.config.InstallerConfig;
import io.autoweave.plugin.installer.internal.config.InstallerConfigs;

/**
 * The configured plugin repositories ({@code repositories} of {@code io.autoweave.plugin.installer}): reads their
 * indexes ({@link RepositoryIndex}) at every use, so an index rewritten by the publisher is seen at once. A directory
 * stands for the index inside it ({@code index.xml.gz}, {@code index.xml} or {@code repository.xml}).
 */
@Component(service = PluginRepositories.class, configurationPid = "io.autoweave.plugin.installer")
public final class PluginRepositories {
    public static final String OBR_PREFIX = "obr:";
    private static final List<String> INDEX_NAMES = List.of("index.xml.gz", "index.xml", "repository.xml");
    private static final long MAX_INDEX_BYTES = 64L * 1024 * 1024;

    /** One repository as read now: its resources, or why it could not be read. */
    public record Repository(String location, List<IndexedResource> resources, PluginInstallException error) {
    }

    /** What {@code obr:NAME[;version=RANGE][;repository=URL]} asks for. */
    public record Request(String symbolicName, VersionRange range, String repository) {

        public static Request parse(String source) throws PluginInstallException {
            String s = source.trim().substring(OBR_PREFIX.length()).trim();
            String repo = null;
            int r = s.indexOf(";repository=");
            if (r >= 0) {
                repo = s.substring(r + ";repository=".length()).trim();
                s = s.substring(0, r);
            }
            String[] parts = s.split(";");
            String bsn = parts[0].trim();
            VersionRange range = null;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (!p.startsWith("version=")) {
                    throw new PluginInstallException(InstallError.BAD_SOURCE, "'" + source + "': unknown part '" + p
                            + "'; use obr:NAME[;version=RANGE][;repository=URL]");
                }
                String v = p.substring(8).trim().replace("\"", "");
                try {
                    range = VersionRange.valueOf(v);
                } catch (IllegalArgumentException e) {
                    throw new PluginInstallException(InstallError.BAD_SOURCE, "'" + source + "': bad version range '" + v
                            + "' (e.g. 1.2.0 for 1.2.0 or later, [1.2,2) for 1.2 up to 2): " + e.getMessage());
                }
            }
            if (bsn.isEmpty() || !bsn.matches("[A-Za-z0-9_.-]+")) {
                throw new PluginInstallException(InstallError.BAD_SOURCE, "'" + source + "' names no plugin: use "
                        + "obr:SYMBOLIC-NAME[;version=RANGE], e.g. obr:com.example.notifier;version=[1.0,2)");
            }
            return new Request(bsn, range, repo);
        }
    }

    private volatile List<String> configured;
    private volatile Fetcher fetcher;
    private final Path work;
    /** The installer reports io.autoweave.plugin.installer; this one refuses the same values (the same check). */
    private final LastGoodConfig<InstallerConfig, InstallerConfig> lastGood = new LastGoodConfig<>(
            InstallerConfigs.PID, InstallerConfig.class, InstallerConfigs::check);

    @Activate
    public PluginRepositories(BundleContext ctx, InstallerConfig config, Map<String, Object> properties) {
        this.work = ctx.getDataFile("work").toPath();
        apply(lastGood.start(null, config, properties));
    }

    PluginRepositories(List<String> configured, Fetcher fetcher) {
        this.work = null;
        this.configured = configured;
        this.fetcher = fetcher;
    }

    /**
     * Applied in place: the installer holds this service statically, so without it every change of the file would
     * re-create the installer too. A refused change keeps the repositories in force.
     */
    @Modified
    void modified(InstallerConfig config, Map<String, Object> properties) {
        lastGood.modified(config, properties).ifPresent(this::apply);
    }

    private void apply(InstallerConfig config) {
        this.fetcher = new Fetcher(work, config.download_timeout_seconds() * 1000, MAX_INDEX_BYTES);
        this.configured = split(config.repositories());
    }

    static List<String> split(String[] values) {
        return values == null ? List.of() : Arrays.stream(values).filter(Objects::nonNull)
                .flatMap(v -> Arrays.stream(v.split(","))).map(String::trim).filter(v -> !v.isEmpty())
                .collect(Collectors.toList());
    }

    public List<String> configured() {
        return configured;
    }

    /** Reads every repository; one that cannot be read is reported in its entry, not thrown. */
    public List<Repository> read(List<String> locations) {
        List<Repository> all = new ArrayList<>();
        for (String l : locations) {
            try {
                all.add(new Repository(l, read(l), null));
            } catch (PluginInstallException e) {
                all.add(new Repository(l, List.of(), e));
            }
        }
        return all;
    }

    /** The resources of one repository. */
    public List<IndexedResource> read(String location) throws PluginInstallException {
        String local = Fetcher.localPath(location);
        if (local != null && Files.isDirectory(Path.of(local))) {
            Path dir = Path.of(local);
            Path index = INDEX_NAMES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst()
                    .orElseThrow(() -> new PluginInstallException(InstallError.BAD_INDEX, "repository directory " + dir
                            + " has no index: expected one of " + INDEX_NAMES + " (bnd index / bnd-indexer-maven-"
                            + "plugin write index.xml)"));
            return parse(index, index.toUri());
        }
        try (Fetcher.Fetched fetched = fetcher.fetch(location)) {
            URI base = local != null ? fetched.file().toUri() : URI.create(location.trim());
            return parse(fetched.file(), base);
        }
    }

    private static List<IndexedResource> parse(Path index, URI base) throws PluginInstallException {
        if (!Files.isRegularFile(index)) {
            throw new PluginInstallException(InstallError.BAD_INDEX, "repository index " + index + " does not exist");
        }
        try (InputStream in = Files.newInputStream(index)) {
            return RepositoryIndex.parse(in, base);
        } catch (RepositoryIndex.IndexException e) {
            throw new PluginInstallException(InstallError.BAD_INDEX, e.getMessage(), e);
        } catch (IOException e) {
            throw new PluginInstallException(InstallError.BAD_INDEX, "cannot read repository index " + base + ": " + e, e);
        }
    }
}
