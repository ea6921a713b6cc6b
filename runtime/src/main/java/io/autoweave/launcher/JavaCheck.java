package io.autoweave.launcher;

/**
 * Which plugin modes this JVM allows. In-process plugins rest on the Java SecurityManager (framework security,
 * ConditionalPermissionAdmin): Java 17 has it; Java 18 to 23 install one only when started with
 * {@code -Djava.security.manager=allow}; Java 24 and later removed it (JEP 486). Without it the runtime still starts,
 * with framework security off and every plugin isolated (its own confined JVM: plugin-host/README.md), never with
 * plugins in process unconfined.
 */
final class JavaCheck {
    private JavaCheck() {
    }

    /** Whether framework security (and so in-process plugins) is possible in this JVM. */
    static boolean securityAvailable() {
        return securityAvailable(Runtime.version().feature(), System.getProperty("java.security.manager"),
                System.getSecurityManager() != null);
    }

    static boolean securityAvailable(int feature, String smProperty, boolean installed) {
        if (installed) {
            return true;
        }
        if (feature >= 24) {
            return false;
        }
        if (feature >= 18) {
            return "allow".equals(smProperty);
        }
        return true;
    }

    /** The line the runtime prints when it starts without framework security, saying what that means. */
    static String isolatedOnlyLine() {
        return isolatedOnlyLine(Runtime.version().feature(), System.getProperty("java.home"));
    }

    static String isolatedOnlyLine(int feature, String javaHome) {
        String how = feature >= 24
                ? "Java " + feature + " (" + javaHome + ") has no SecurityManager (JEP 486)"
                : "Java " + feature + " installs a SecurityManager only when started with -Djava.security.manager=allow";
        return "security off: " + how + ", so every plugin runs isolated, in a confined JVM of its own (plugin "
                + "hosts); in-process plugins need Java 17 (Debian: apt-get install openjdk-17-jre-headless)";
    }
}
