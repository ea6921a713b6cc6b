package io.autoweave.pluginhost.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.Test;

import io.autoweave.api.device.UsbDevice;

public class PluginGrantTest {

    static Path jar(String permissions) throws IOException {
        Path p = Files.createTempFile("grant", ".jar");
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Bundle-SymbolicName", "grant.probe");
        try (OutputStream out = Files.newOutputStream(p); JarOutputStream j = new JarOutputStream(out, mf)) {
            if (permissions != null) {
                j.putNextEntry(new JarEntry("OSGI-INF/permissions.perm"));
                j.write(permissions.getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
        return p;
    }

    static UsbDevice device(int vendor, int cls) {
        return new UsbDevice(vendor, 0x0001, "S", null, null, 0, 0, 0, List.of(cls), 0x0100, 1, 2, "1-1", "sig");
    }

    @Test
    public void theOperatorsGrantDecidesWhenThePluginDeclaresNothing() throws IOException {
        PluginGrant g = PluginGrant.of(new String[] { "vendor=046d" }, jar(null));
        assertTrue(g.mayMonitor(device(0x046d, 3)));
        assertFalse(g.mayMonitor(device(0x1d6b, 3)));
    }

    @Test
    public void noGrantMeansNoDevice() throws IOException {
        PluginGrant g = PluginGrant.of(new String[0], jar("(io.autoweave.api.security.UsbPermission \"*\" \"monitor\")"));
        assertFalse(g.mayMonitor(device(0x046d, 3)));
    }

    @Test
    public void thePluginsPermissionsPermNarrowsTheGrantAndNeverWidensIt() throws IOException {
        PluginGrant g = PluginGrant.of(new String[] { "vendor=046d" }, jar("# HID only\n"
                + "(org.osgi.framework.PackagePermission \"io.autoweave.api.device\" \"import\")\n"
                + "(io.autoweave.api.security.UsbPermission \"class=03\" \"monitor\")\n"));
        assertTrue(g.mayMonitor(device(0x046d, 3)));
        assertFalse("narrowed to class 03", g.mayMonitor(device(0x046d, 8)));
        assertFalse("never widened beyond vendor 046d", g.mayMonitor(device(0x1d6b, 3)));
    }

    @Test
    public void aBadGrantOrPermissionRowSaysWhatToFix() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PluginGrant.of(new String[] { "vendor=zz" }, jar(null)));
        assertTrue(e.getMessage(), e.getMessage().startsWith("usb.grant \"vendor=zz\""));
        Path bad = jar("(io.autoweave.api.security.UsbPermission \"class=03\"\n");
        e = assertThrows(IllegalArgumentException.class, () -> PluginGrant.of(new String[] { "*" }, bad));
        assertTrue(e.getMessage(), e.getMessage().contains("permissions.perm"));
    }
}
