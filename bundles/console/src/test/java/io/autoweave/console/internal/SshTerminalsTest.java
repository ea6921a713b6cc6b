package io.autoweave.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.apache.sshd.common.channel.PtyMode;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.junit.Test;

public class SshTerminalsTest {

    @Test
    public void withoutModesCtrlCInterruptsAndLineEndsAreTranslated() {
        Attributes a = SshTerminals.attributes(Map.of());
        assertTrue(a.getLocalFlag(LocalFlag.ISIG));
        assertEquals(3, a.getControlChar(ControlChar.VINTR));
        assertTrue(a.getOutputFlag(OutputFlag.OPOST) && a.getOutputFlag(OutputFlag.ONLCR));
    }

    @Test
    public void theClientsModesWin() {
        Attributes a = SshTerminals.attributes(Map.of(PtyMode.VINTR, 7, PtyMode.ISIG, 0, PtyMode.ONLCR, 0));
        assertEquals(7, a.getControlChar(ControlChar.VINTR));
        assertFalse(a.getLocalFlag(LocalFlag.ISIG));
        assertFalse(a.getOutputFlag(OutputFlag.ONLCR));
    }

    @Test
    public void sizesThatAreNotPositiveNumbersFallBack() {
        assertEquals(120, SshTerminals.number("120", 80));
        assertEquals(80, SshTerminals.number("0", 80));
        assertEquals(80, SshTerminals.number("wide", 80));
        assertEquals(80, SshTerminals.number(null, 80));
    }
}
