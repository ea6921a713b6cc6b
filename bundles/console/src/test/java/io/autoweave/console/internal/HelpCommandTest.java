package io.autoweave.console.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class HelpCommandTest {

    @Test
    public void commandNamesMapToMethodsAsGogoMapsThem() {
        assertTrue(HelpCommand.matches("devices", "devices"));
        assertTrue(HelpCommand.matches("getDevices", "devices"));
        assertTrue(HelpCommand.matches("_new", "new"));
        assertTrue("dashes drop out", HelpCommand.matches("policyreload", "policy-reload"));
        assertFalse(HelpCommand.matches("device", "devices"));
    }

    @Test
    public void theProfileMakesFelixWinForUnscopedNamesAndKeepsHistoryInTheDataDirectory() {
        String profile = ConsoleProfile.ours(java.nio.file.Path.of("/data/shell-history"));
        assertTrue(profile, profile.contains("SCOPE = 'console:gogo:felix:*'"));
        assertTrue(profile, profile.contains("history-file '/data/shell-history'"));
    }
}
