package io.autoweave.webconsole.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class UploadNameTest {

    @Test
    public void anUploadKeepsOnlyItsOwnHarmlessName() {
        assertEquals("plugin.jar", PluginsPage.fileName("C:\\Users\\x\\plugin.jar"));
        assertEquals("passwd", PluginsPage.fileName("../../etc/passwd"));
        assertEquals("a_b_c_.jar", PluginsPage.fileName("a b<c>.jar"));
        assertEquals("plugin.hidden", PluginsPage.fileName(".hidden"));
        assertEquals("plugin", PluginsPage.fileName("dir/"));
    }
}
