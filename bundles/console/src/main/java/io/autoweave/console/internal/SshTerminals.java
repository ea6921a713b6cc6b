package io.autoweave.console.internal;

import java.io.IOException;
import java.util.Map;

import org.apache.sshd.common.channel.PtyMode;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/** Building JLine terminals in OSGi, and the settings of an SSH session from the modes its client sent. */
final class SshTerminals {
    private SshTerminals() {
    }

    /**
     * A sane cooked terminal (what a client that sends no modes gets), overridden by the client's modes. ISIG with
     * VINTR is what turns a Ctrl-C byte from the client into an interrupt of the running command; OPOST with ONLCR
     * makes the line ends the client's raw terminal expects.
     */
    static Attributes attributes(Map<PtyMode, Integer> modes) {
        Attributes a = new Attributes();
        a.setLocalFlags(java.util.EnumSet.of(LocalFlag.ISIG, LocalFlag.ICANON, LocalFlag.ECHO, LocalFlag.ECHOE,
                LocalFlag.ECHOK, LocalFlag.IEXTEN), true);
        a.setInputFlags(java.util.EnumSet.of(InputFlag.ICRNL), true);
        a.setOutputFlags(java.util.EnumSet.of(OutputFlag.OPOST, OutputFlag.ONLCR), true);
        a.setControlChar(ControlChar.VINTR, 3);
        a.setControlChar(ControlChar.VQUIT, 28);
        a.setControlChar(ControlChar.VERASE, 127);
        a.setControlChar(ControlChar.VKILL, 21);
        a.setControlChar(ControlChar.VEOF, 4);
        a.setControlChar(ControlChar.VSUSP, 26);
        a.setControlChar(ControlChar.VWERASE, 23);
        a.setControlChar(ControlChar.VLNEXT, 22);
        a.setControlChar(ControlChar.VREPRINT, 18);
        a.setControlChar(ControlChar.VSTART, 17);
        a.setControlChar(ControlChar.VSTOP, 19);
        a.setControlChar(ControlChar.VMIN, 1);
        a.setControlChar(ControlChar.VTIME, 0);
        for (Map.Entry<PtyMode, Integer> e : modes.entrySet()) {
            int v = e.getValue() == null ? 0 : e.getValue();
            boolean on = v != 0;
            switch (e.getKey()) {
                case VINTR -> a.setControlChar(ControlChar.VINTR, v);
                case VQUIT -> a.setControlChar(ControlChar.VQUIT, v);
                case VERASE -> a.setControlChar(ControlChar.VERASE, v);
                case VKILL -> a.setControlChar(ControlChar.VKILL, v);
                case VEOF -> a.setControlChar(ControlChar.VEOF, v);
                case VEOL -> a.setControlChar(ControlChar.VEOL, v);
                case VEOL2 -> a.setControlChar(ControlChar.VEOL2, v);
                case VSTART -> a.setControlChar(ControlChar.VSTART, v);
                case VSTOP -> a.setControlChar(ControlChar.VSTOP, v);
                case VSUSP -> a.setControlChar(ControlChar.VSUSP, v);
                case VREPRINT -> a.setControlChar(ControlChar.VREPRINT, v);
                case VWERASE -> a.setControlChar(ControlChar.VWERASE, v);
                case VLNEXT -> a.setControlChar(ControlChar.VLNEXT, v);
                case ISIG -> a.setLocalFlag(LocalFlag.ISIG, on);
                case ICANON -> a.setLocalFlag(LocalFlag.ICANON, on);
                case ECHO -> a.setLocalFlag(LocalFlag.ECHO, on);
                case ECHOE -> a.setLocalFlag(LocalFlag.ECHOE, on);
                case ECHOK -> a.setLocalFlag(LocalFlag.ECHOK, on);
                case ECHONL -> a.setLocalFlag(LocalFlag.ECHONL, on);
                case NOFLSH -> a.setLocalFlag(LocalFlag.NOFLSH, on);
                case IEXTEN -> a.setLocalFlag(LocalFlag.IEXTEN, on);
                case ICRNL -> a.setInputFlag(InputFlag.ICRNL, on);
                case INLCR -> a.setInputFlag(InputFlag.INLCR, on);
                case IGNCR -> a.setInputFlag(InputFlag.IGNCR, on);
                case IXON -> a.setInputFlag(InputFlag.IXON, on);
                case OPOST -> a.setOutputFlag(OutputFlag.OPOST, on);
                case ONLCR -> a.setOutputFlag(OutputFlag.ONLCR, on);
                case OCRNL -> a.setOutputFlag(OutputFlag.OCRNL, on);
                default -> {
                    // other modes do not matter to a line-editing shell
                }
            }
        }
        return a;
    }

    /**
     * JLine finds its terminal providers through the thread's context class loader, which in OSGi is not JLine's
     * own: without this the builder finds none ("Unable to create a terminal").
     */
    static Terminal build(TerminalBuilder builder) throws IOException {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(Terminal.class.getClassLoader());
        try {
            return builder.build();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    static int number(String value, int fallback) {
        try {
            int n = Integer.parseInt(value == null ? "" : value.trim());
            return n > 0 ? n : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
