package io.autoweave.usb.pipeline.internal.rules;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.junit.Test;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.usb.pipeline.internal.identity.Signatures;
import io.autoweave.usb.pipeline.internal.Devices;

public class RuleSetTest {

    private static final UsbDevice RECEIVER = Devices.receiver("1-2.3");
    private static final UsbDevice STICK = Devices.stick("S1", "2-1");
    private static final UsbDevice HUB = Signatures.sign(new UsbDevice(0x1d6b, 0x0002, "ABC", "Linux", "hub",
            9, 0, 1, List.of(9), 0x0515, 1, 1, "1-2.4", null));

    private static RuleTarget decide(String rules, RuleTarget defaultTarget, UsbDevice d) {
        return RuleSet.parse(rules, defaultTarget).decide(d).target();
    }

    @Test
    public void firstMatchWins() {
        String rules = "allow id 0781:*\nblock class 08";
        assertEquals(RuleTarget.ALLOW, decide(rules, RuleTarget.BLOCK, STICK));
        assertEquals(RuleTarget.BLOCK, decide("block class 08\nallow id 0781:*", RuleTarget.ALLOW, STICK));
    }

    @Test
    public void defaultTargetAppliesWhenNothingMatches() {
        RuleSet.Decision d = RuleSet.parse("allow id 046d:*", RuleTarget.BLOCK).decide(STICK);
        assertEquals(RuleTarget.BLOCK, d.target());
        assertTrue(d.byDefault());
        assertNull(d.rule());
    }

    @Test
    public void decisionNamesTheRuleAndItsLine() {
        RuleSet.Decision d = RuleSet.parse("# header\nblock class 08 # storage", RuleTarget.ALLOW).decide(STICK);
        assertEquals(2, d.rule().line());
        assertEquals("block class 08", d.rule().text());
    }

    @Test
    public void classMatchesDeviceClassOrAnyInterfaceClass() {
        assertEquals(RuleTarget.BLOCK, decide("block class 08", RuleTarget.ALLOW, STICK));
        assertEquals(RuleTarget.BLOCK, decide("block class 09", RuleTarget.ALLOW, HUB));
        assertEquals(RuleTarget.ALLOW, decide("block class 08", RuleTarget.ALLOW, RECEIVER));
    }

    @Test
    public void interfaceMatchesInterfaceClassesOnly() {
        assertEquals(RuleTarget.BLOCK, decide("block interface 03:*:*", RuleTarget.ALLOW, RECEIVER));
        UsbDevice classOnly = Signatures.sign(new UsbDevice(1, 2, null, null, null, 3, 0, 0, List.of(), 0, -1, -1,
                null, null));
        assertEquals(RuleTarget.ALLOW, decide("block interface 03", RuleTarget.ALLOW, classOnly));
    }

    @Test
    public void allAttributesOfARuleMustMatch() {
        String rule = "allow id 1d6b:0002 serial \"ABC\" port \"1-2.*\"";
        assertEquals(RuleTarget.ALLOW, decide(rule, RuleTarget.BLOCK, HUB));
        UsbDevice elsewhere = Devices.at(HUB, "3-1", 3, 2);
        assertEquals(RuleTarget.BLOCK, decide(rule, RuleTarget.BLOCK, elsewhere));
        assertEquals(RuleTarget.BLOCK, decide(rule, RuleTarget.BLOCK, Devices.withSerial(HUB, "XYZ")));
    }

    @Test
    public void portGlobSupportsStarAndQuestionMarkAndUnknownPortNeverMatches() {
        assertEquals(RuleTarget.ALLOW, decide("allow port \"1-2.?\"", RuleTarget.BLOCK, RECEIVER));
        assertEquals(RuleTarget.BLOCK, decide("allow port \"1-2\"", RuleTarget.BLOCK, RECEIVER));
        assertEquals(RuleTarget.BLOCK, decide("allow port \"*\"", RuleTarget.BLOCK, Devices.at(RECEIVER, null, -1, -1)));
    }

    @Test
    public void portGlobTreatsRegexCharactersLiterally() {
        // '.' in a port path is a literal dot, not "any character"
        assertEquals(RuleTarget.BLOCK, decide("allow port \"1-2.3\"", RuleTarget.BLOCK,
                Devices.at(RECEIVER, "1-2x3", 1, 1)));
    }

    @Test
    public void serialRuleNeverMatchesADeviceWithoutSerial() {
        assertEquals(RuleTarget.BLOCK, decide("allow serial \"\"", RuleTarget.BLOCK, Devices.stick(null, "1")));
        assertEquals(RuleTarget.ALLOW, decide("allow serial \"\"", RuleTarget.BLOCK, Devices.stick("", "1")));
    }

    @Test
    public void signatureMatchesCaseInsensitively() {
        String rule = "allow signature " + RECEIVER.signature().toUpperCase();
        assertEquals(RuleTarget.ALLOW, decide(rule, RuleTarget.BLOCK, RECEIVER));
        assertEquals(RuleTarget.BLOCK, decide(rule, RuleTarget.BLOCK, STICK));
    }

    @Test
    public void vendorWildcardAndExactProduct() {
        assertEquals(RuleTarget.ALLOW, decide("allow id *:c52b", RuleTarget.BLOCK, RECEIVER));
        assertEquals(RuleTarget.BLOCK, decide("allow id 046d:c52c", RuleTarget.BLOCK, RECEIVER));
    }

    @Test
    public void emptyRuleSetUsesTheDefault() {
        assertEquals(RuleTarget.ALLOW, RuleSet.allowAll().decide(STICK).target());
        assertEquals(RuleTarget.BLOCK, decide("# only comments\n\n", RuleTarget.BLOCK, STICK));
    }
}
