package io.autoweave.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Test;

public class ConsoleGuardTest {

    @Test
    public void aPluginsLinesArePrefixedAndCutToItsBudgetWhileTheRuntimesPassUntouched() {
        ByteArrayOutputStream real = new ByteArrayOutputStream();
        AtomicReference<String> onStack = new AtomicReference<>();
        Map<String, ConsoleGuard.Account> accounts = new ConcurrentHashMap<>();
        PrintStream out = new PrintStream(new ConsoleGuard(real, onStack::get, 1, 50, accounts), true,
                StandardCharsets.UTF_8);
        out.println("runtime says hello");
        onStack.set("plugin:low/flooder");
        for (int i = 0; i < 10_000; i++) {
            out.println("line " + i);
        }
        out.print("partial ");
        onStack.set(null);
        out.println("runtime again");
        String text = real.toString(StandardCharsets.UTF_8);
        long passed = text.lines().filter(l -> l.startsWith("[plugin flooder] line ")).count();
        assertTrue(text, text.startsWith("runtime says hello\n[plugin flooder] line 0\n"));
        assertTrue(passed + " passed", passed >= 50 && passed <= 52);
        assertEquals(0, text.lines().filter(l -> l.startsWith("line ")).count());
        assertTrue(text, text.endsWith("runtime again\n"));
        long[] lines = ConsoleGuard.lines(accounts).get("plugin:low/flooder");
        assertEquals(10_001, lines[0] + lines[1]);
        assertEquals(Long.valueOf(lines[1]), ConsoleGuard.drainDrops(accounts).get("plugin:low/flooder"));
        assertTrue("reported once", ConsoleGuard.drainDrops(accounts).isEmpty());
    }
}
