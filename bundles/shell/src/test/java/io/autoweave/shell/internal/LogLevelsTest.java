package io.autoweave.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Hashtable;

import org.junit.Test;

public class LogLevelsTest {

    private static Hashtable<String, Object> shipped() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("log4j2.rootLogger.level", "INFO");
        p.put("log4j2.logger.jetty.name", "org.eclipse.jetty");
        p.put("log4j2.logger.jetty.level", "WARN");
        return p;
    }

    @Test
    public void aNewLoggerGetsANamePairAndAnExistingOneKeepsItsIdentifier() {
        Hashtable<String, Object> p = shipped();
        assertEquals("io.autoweave.usb.pipeline: inherited -> DEBUG", LogLevels.set(p, "io.autoweave.usb.pipeline", "debug"));
        assertEquals("io.autoweave.usb.pipeline", p.get("log4j2.logger.aw_io_autoweave_usb_pipeline.name"));
        assertEquals("DEBUG", p.get("log4j2.logger.aw_io_autoweave_usb_pipeline.level"));

        assertEquals("org.eclipse.jetty: WARN -> INFO", LogLevels.set(p, "org.eclipse.jetty", "INFO"));
        assertEquals("INFO", p.get("log4j2.logger.jetty.level"));
        assertEquals("root and two name/level pairs, nothing duplicated", 5, p.size());
    }

    @Test
    public void defaultRemovesTheLoggersOwnLevelAndRootCannotInherit() {
        Hashtable<String, Object> p = shipped();
        assertEquals("org.eclipse.jetty: WARN -> inherited", LogLevels.set(p, "org.eclipse.jetty", "default"));
        assertNull(p.get("log4j2.logger.jetty.name"));
        assertEquals("ROOT: INFO -> WARN", LogLevels.set(p, "root", "warn"));
        assertEquals("WARN", p.get("log4j2.rootLogger.level"));
        assertThrows(IllegalArgumentException.class, () -> LogLevels.set(p, "ROOT", "default"));
    }

    @Test
    public void badLevelsAndNamesSayWhatToType() {
        Hashtable<String, Object> p = shipped();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogLevels.set(p, "x", "LOUD"));
        assertTrue(e.getMessage(), e.getMessage().contains("TRACE, DEBUG, INFO, WARN, ERROR, OFF"));
        e = assertThrows(IllegalArgumentException.class, () -> LogLevels.set(p, "a b", "INFO"));
        assertTrue(e.getMessage(), e.getMessage().contains("ROOT"));
        assertEquals(shipped(), p);
    }

    @Test
    public void theListingShowsRootFirstThenEachLoggerByName() {
        Hashtable<String, Object> p = shipped();
        LogLevels.set(p, "a.b", "TRACE");
        assertEquals("{ROOT=INFO, a.b=TRACE, org.eclipse.jetty=WARN}", LogLevels.levels(p).toString());
    }
}
