package io.autoweave.plugin.installer.internal.fetch;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.sun.net.httpserver.HttpServer;

import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.PluginInstallException;

public class FetcherTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void aLocalFileIsReadWhereItIsAndNeverDeleted() throws Exception {
        Path work = tmp.newFolder("work").toPath();
        Path jar = tmp.newFile("plugin.jar").toPath();
        Fetcher fetcher = new Fetcher(work, 5000, 1 << 20);
        for (String source : new String[] { jar.toString(), jar.toUri().toString() }) {
            try (Fetcher.Fetched f = fetcher.fetch(source)) {
                assertEquals(jar.toAbsolutePath(), f.file());
                assertFalse(f.download());
            }
            assertTrue("closing a fetched local file keeps it", Files.exists(jar));
        }
    }

    @Test
    public void aDownloadIsDeletedWhenClosedAndTooLargeOneIsRefused() throws Exception {
        Path work = tmp.newFolder("work").toPath();
        byte[] body = "not really a jar".getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/p.jar", x -> {
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/p.jar";
            Path file;
            try (Fetcher.Fetched f = new Fetcher(work, 5000, 1 << 20).fetch(url)) {
                file = f.file();
                assertTrue(f.download());
                assertTrue(file.startsWith(work));
                assertArrayEquals(body, Files.readAllBytes(file));
            }
            assertFalse("closing a download deletes it", Files.exists(file));
            PluginInstallException e = assertThrows(PluginInstallException.class,
                    () -> new Fetcher(work, 5000, 4).fetch(url));
            assertEquals(InstallError.ARCHIVE_TOO_LARGE, e.error());
            try (var files = Files.list(work)) {
                assertEquals("nothing is left in the work directory", 0, files.count());
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    public void onlyPathsAndHttpUrlsAreSources() {
        Fetcher fetcher = new Fetcher(tmp.getRoot().toPath(), 1000, 1 << 20);
        assertEquals(InstallError.BAD_SOURCE, assertThrows(PluginInstallException.class,
                () -> fetcher.fetch("ftp://127.0.0.1/p.jar")).error());
        assertEquals(InstallError.BAD_SOURCE, assertThrows(PluginInstallException.class, () -> fetcher.fetch(" "))
                .error());
    }
}
