package io.autoweave.security.internal;

import java.util.Locale;

import io.autoweave.api.plugin.SecurityLevel;

/** The per-level rules: what a violation leads to. Pure, so unit tests need no framework. */
final class Escalation {

    enum Action { RECORD, WARN, BLOCK }

    /** An outcome and the rule that produced it. */
    record Outcome(Action action, String rule) {
    }

    private final boolean[] blockOnCritical = new boolean[3];
    private final int[] blockAfter = new int[3];
    private final int lockdownAfter;

    Escalation(SecurityConfig c) {
        this(new boolean[] { c.low_block_on_critical(), c.medium_block_on_critical(), c.high_block_on_critical() },
                new int[] { c.low_block_after_violations(), c.medium_block_after_violations(),
                        c.high_block_after_violations() },
                c.lockdown_after_blocks());
    }

    Escalation(boolean[] blockOnCritical, int[] blockAfter, int lockdownAfter) {
        for (int i = 0; i < 3; i++) {
            if (blockAfter[i] < 0) {
                throw new IllegalArgumentException(SecurityLevel.values()[i].name().toLowerCase(Locale.ROOT)
                        + ".block.after.violations must be 0 (never) or more, not " + blockAfter[i]);
            }
        }
        if (lockdownAfter < 0) {
            throw new IllegalArgumentException("lockdown.after.blocks must be 0 (never) or more, not " + lockdownAfter);
        }
        System.arraycopy(blockOnCritical, 0, this.blockOnCritical, 0, 3);
        System.arraycopy(blockAfter, 0, this.blockAfter, 0, 3);
        this.lockdownAfter = lockdownAfter;
    }

    /**
     * @param count violations of this plugin so far, this one included
     */
    Outcome decide(SecurityLevel level, boolean critical, int count) {
        String lvl = level.name().toLowerCase(Locale.ROOT);
        int i = level.ordinal();
        if (critical && blockOnCritical[i]) {
            return new Outcome(Action.BLOCK, "critical-violation:" + lvl);
        }
        if (blockAfter[i] > 0 && count >= blockAfter[i]) {
            return new Outcome(Action.BLOCK, "violations>=" + blockAfter[i] + ":" + lvl);
        }
        if (critical || level == SecurityLevel.LOW) {
            return new Outcome(Action.WARN, (critical ? "critical-violation:" : "violation:") + lvl + ":warn-only");
        }
        return new Outcome(Action.RECORD, "violation:" + lvl + ":" + count + "/" + (blockAfter[i] == 0 ? "never"
                : Integer.toString(blockAfter[i])));
    }

    /** The lockdown rule's name when {@code blockedNow} plugins are blocked, or null if no lockdown follows. */
    String lockdownRule(int blockedNow) {
        return lockdownAfter > 0 && blockedNow >= lockdownAfter ? "lockdown-after-blocks:" + lockdownAfter : null;
    }

    /** The critical set: breaking out of the sandbox rather than overstepping a grant. */
    static boolean isCritical(String type, String name, String actions) {
        switch (type) {
            case "java.lang.RuntimePermission":
                return name.startsWith("exitVM") || name.equals("setSecurityManager")
                        || name.equals("createSecurityManager") || name.startsWith("loadLibrary.")
                        || name.equals("createClassLoader") || name.equals("setIO");
            case "java.lang.reflect.ReflectPermission":
                return name.equals("suppressAccessChecks");
            case "java.security.SecurityPermission":
                return name.equals("setPolicy");
            case "java.io.FilePermission":
                return actions != null && actions.contains("execute");
            case "org.osgi.framework.AdminPermission":
            case "java.security.AllPermission":
                return true;
            default:
                return false;
        }
    }
}
