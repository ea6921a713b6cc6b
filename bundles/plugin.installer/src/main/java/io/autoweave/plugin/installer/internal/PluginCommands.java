package io.autoweave.plugin.installer.internal;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.autoweave.api.plugin.SecurityLevel;
import io.autoweave.plugin.installer.InstalledPlugin;
import io.autoweave.plugin.installer.PluginInstallException;
import io.autoweave.plugin.installer.PluginInstaller;

/** Gogo commands {@code aw:install}, {@code aw:plugins}, {@code aw:uninstall}. */
@Component(service = PluginCommands.class, property = { "osgi.command.scope=aw", "osgi.command.function=install",
        "osgi.command.function=plugins", "osgi.command.function=uninstall" })
public final class PluginCommands {

    private final PluginInstaller installer;

    @Activate
    public PluginCommands(@Reference PluginInstaller installer) {
        this.installer = installer;
    }

    @Descriptor("verify a signed plugin against the trust store, install it at security level medium and start it")
    public String install(@Descriptor("file path, file: or https: URL") String source) throws PluginInstallException {
        return install(source, "medium");
    }

    @Descriptor("verify a signed plugin against the trust store, install it at the given level and start it")
    public String install(@Descriptor("file path, file: or https: URL") String source,
            @Descriptor("security level: low, medium or high") String level) throws PluginInstallException {
        return "installed " + line(installer.install(source, SecurityLevel.parse(level)));
    }

    @Descriptor("list the installed plugins with their state")
    public String plugins() {
        List<InstalledPlugin> all = installer.plugins();
        if (all.isEmpty()) {
            return "no plugins installed";
        }
        return all.stream().map(PluginCommands::line).collect(Collectors.joining(System.lineSeparator()));
    }

    @Descriptor("stop and uninstall a plugin")
    public String uninstall(@Descriptor("symbolic name or bundle id") String plugin) throws PluginInstallException {
        return "uninstalled " + line(installer.uninstall(plugin));
    }

    static String line(InstalledPlugin p) {
        return String.format("%4d %-8s %-7s %s %s  %s%s", p.bundleId(), p.state(), p.level(), p.symbolicName(),
                p.version(), p.location(), p.signer() == null ? "" : "  signed by " + p.signer());
    }
}
