package io.autoweave.pluginhost.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.osgi.service.permissionadmin.PermissionInfo;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.security.UsbPermission;

/**
 * Which devices an isolated plugin may see, decided in the runtime before an event leaves it: the operator's grant
 * (the configuration), narrowed by the plugin's own {@code OSGI-INF/permissions.perm} when it has one, as the
 * framework narrows an in-process plugin: a device must be covered by both.
 */
final class PluginGrant {
    private static final String PERM_FILE = "OSGI-INF/permissions.perm";

    private final List<UsbPermission> granted;
    private final List<UsbPermission> declared; // null: the jar declares nothing, no narrowing

    private PluginGrant(List<UsbPermission> granted, List<UsbPermission> declared) {
        this.granted = granted;
        this.declared = declared;
    }

    /** @throws IllegalArgumentException naming the grant or the permissions.perm row to fix */
    static PluginGrant of(String[] grant, Path jar) throws IOException {
        List<UsbPermission> granted = new ArrayList<>();
        for (String g : grant) {
            if (!g.isBlank()) {
                try {
                    granted.add(new UsbPermission(g.trim(), "monitor"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("usb.grant \"" + g + "\": " + e.getMessage(), e);
                }
            }
        }
        return new PluginGrant(granted, declared(jar));
    }

    private static List<UsbPermission> declared(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            ZipEntry e = j.getEntry(PERM_FILE);
            if (e == null) {
                return null;
            }
            List<UsbPermission> rows = new ArrayList<>();
            String text;
            try (InputStream in = j.getInputStream(e)) {
                text = new String(in.readNBytes(256 * 1024), StandardCharsets.UTF_8);
            }
            for (String line : text.split("\n")) {
                String l = line.trim();
                if (l.isEmpty() || l.startsWith("#") || l.startsWith("//")) {
                    continue;
                }
                PermissionInfo info;
                try {
                    info = new PermissionInfo(l);
                } catch (IllegalArgumentException x) {
                    throw new IllegalArgumentException(jar.getFileName() + " " + PERM_FILE + ": row \"" + l
                            + "\" is not a permission: " + x.getMessage(), x);
                }
                if (UsbPermission.class.getName().equals(info.getType())) {
                    rows.add(new UsbPermission(info.getName(), info.getActions()));
                }
            }
            return rows;
        }
    }

    boolean mayMonitor(UsbDevice device) {
        UsbPermission needed = UsbPermission.forDevice(device, "monitor");
        return granted.stream().anyMatch(p -> p.implies(needed))
                && (declared == null || declared.stream().anyMatch(p -> p.implies(needed)));
    }

    @Override
    public String toString() {
        return "grant " + granted.stream().map(UsbPermission::getName).toList()
                + (declared == null ? "" : ", narrowed by permissions.perm to "
                        + declared.stream().map(UsbPermission::getName).toList());
    }
}
