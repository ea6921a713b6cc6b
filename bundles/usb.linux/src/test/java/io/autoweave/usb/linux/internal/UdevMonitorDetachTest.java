package io.autoweave.usb.linux.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Test;

public class UdevMonitorDetachTest {

    @Test
    public void theChildLeadsASessionOfItsOwnSoTerminalCtrlCNeverReachesIt() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")));
        // prints its pid and its session id (field 6 of /proc/PID/stat); equal only for a session leader
        Process p = new ProcessBuilder(UdevMonitor.detached(List.of("sh", "-c",
                "echo $$ $(cut -d' ' -f6 /proc/$$/stat)"))).start();
        String[] out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split(" ");
        assertEquals(0, p.waitFor());
        assertEquals("pid and session id of the child", out[0], out[1]);
        assertEquals("setsid execs in place, so the pid Java knows is the child's", Long.toString(p.pid()), out[0]);
    }
}
