package io.autoweave.usb.libusb.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class KernelViewTest {

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Path device(Path root, String name, String... attributes) throws IOException {
        Path dir = Files.createDirectories(root.resolve("bus/usb/devices").resolve(name));
        for (int i = 0; i < attributes.length; i += 2) {
            Files.writeString(dir.resolve(attributes[i]), attributes[i + 1] + "\n", StandardCharsets.UTF_8);
        }
        return dir;
    }

    @Test
    public void readsTheKernelsCachedStringsKeepingTrailingBlanksLikeTheOtherSources() throws IOException {
        Path root = tmp.getRoot().toPath();
        device(root, "1-3", "idVendor", "46f4", "idProduct", "0001", "serial", "AW1 ", "product", "QEMU USB HARDDRIVE");
        KernelView view = new KernelView(root);
        assertTrue(view.available());
        assertEquals("46f4:0001", view.id("1-3"));
        assertEquals(new KernelView.Strings("AW1 ", null, "QEMU USB HARDDRIVE"), view.strings("1-3"));
    }

    @Test
    public void listsDevicesButNotInterfacesOrRootHubs() throws IOException {
        Path root = tmp.getRoot().toPath();
        device(root, "usb1", "idVendor", "1d6b", "idProduct", "0002");
        device(root, "1-1", "idVendor", "0627", "idProduct", "0001");
        device(root, "1-1:1.0", "bInterfaceClass", "03");
        device(root, "1-2.1", "idVendor", "0403", "idProduct", "6001");
        assertEquals(Map.of("1-1", "0627:0001", "1-2.1", "0403:6001"), new KernelView(root).devices());
    }

    @Test
    public void aDevicesBusAddressIsPartOfItsEntrySoARePlugOnTheSamePortReadsDifferently() throws IOException {
        Path root = tmp.getRoot().toPath();
        device(root, "1-1", "idVendor", "0627", "idProduct", "0001", "devnum", "7");
        assertEquals(Map.of("1-1", "0627:0001@7"), new KernelView(root).devices());
        device(root, "1-1", "devnum", "8");
        assertEquals(Map.of("1-1", "0627:0001@8"), new KernelView(root).devices());
    }

    @Test
    public void aGoneDeviceOrABadPortReadsAsNothing() {
        KernelView view = new KernelView(tmp.getRoot().toPath());
        assertFalse(view.available());
        assertNull(view.id("1-9"));
        assertNull(view.id("../../etc"));
        assertEquals(new KernelView.Strings(null, null, null), view.strings("1-9"));
    }
}
