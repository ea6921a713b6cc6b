package io.autoweave.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import io.autoweave.api.plugin.SecurityLevel;

public class EscalationTest {
    private final Escalation rules = new Escalation(new boolean[] { false, true, true }, new int[] { 0, 5, 3 }, 3);

    @Test
    public void aCriticalViolationBlocksMediumAndHighAtOnceButOnlyWarnsLow() {
        assertEquals(new Escalation.Outcome(Escalation.Action.BLOCK, "critical-violation:high"),
                rules.decide(SecurityLevel.HIGH, true, 1));
        assertEquals(Escalation.Action.BLOCK, rules.decide(SecurityLevel.MEDIUM, true, 1).action());
        assertEquals(Escalation.Action.WARN, rules.decide(SecurityLevel.LOW, true, 100).action());
    }

    @Test
    public void nonCriticalViolationsBlockAtTheLevelsThreshold() {
        assertEquals(Escalation.Action.RECORD, rules.decide(SecurityLevel.HIGH, false, 2).action());
        assertEquals(new Escalation.Outcome(Escalation.Action.BLOCK, "violations>=3:high"),
                rules.decide(SecurityLevel.HIGH, false, 3));
        assertEquals(Escalation.Action.RECORD, rules.decide(SecurityLevel.MEDIUM, false, 4).action());
        assertEquals(Escalation.Action.BLOCK, rules.decide(SecurityLevel.MEDIUM, false, 5).action());
    }

    @Test
    public void lockdownFollowsTheMthBlock() {
        assertNull(rules.lockdownRule(2));
        assertEquals("lockdown-after-blocks:3", rules.lockdownRule(3));
        assertNull("0 = never", new Escalation(new boolean[3], new int[3], 0).lockdownRule(100));
    }

    @Test(expected = IllegalArgumentException.class)
    public void aNegativeThresholdIsRefused() {
        new Escalation(new boolean[3], new int[] { 0, -1, 0 }, 3);
    }

    @Test
    public void theCriticalSetIsTheSandboxEscapes() {
        assertTrue(Escalation.isCritical("java.lang.RuntimePermission", "exitVM.3", null));
        assertTrue(Escalation.isCritical("java.lang.RuntimePermission", "setSecurityManager", null));
        assertTrue(Escalation.isCritical("java.lang.RuntimePermission", "loadLibrary.x", null));
        assertTrue(Escalation.isCritical("java.lang.reflect.ReflectPermission", "suppressAccessChecks", null));
        assertTrue(Escalation.isCritical("java.io.FilePermission", "<<ALL FILES>>", "execute"));
        assertTrue(Escalation.isCritical("org.osgi.framework.AdminPermission", "(id=3)", "lifecycle"));
        assertFalse(Escalation.isCritical("java.io.FilePermission", "/etc/passwd", "read"));
        assertFalse(Escalation.isCritical("java.util.PropertyPermission", "x", "write"));
        assertFalse(Escalation.isCritical("java.lang.RuntimePermission", "modifyThreadGroup", null));
    }
}
