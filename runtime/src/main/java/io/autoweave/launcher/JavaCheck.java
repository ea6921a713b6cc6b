package io.autoweave.launcher;

/**
 * Plugin permissions rest on the Java SecurityManager. JDK 24 removed it (JEP 486); JDK 18 to 23 refuse to
 * install one unless started with {@code -Djava.security.manager=allow}. Refuse to start without it rather than
 * run plugins unconfined.
 */
final class JavaCheck {
    private JavaCheck() {
    }

    static void requireSecurityManagerSupport() throws LaunchException {
        requireSecurityManagerSupport(Runtime.version().feature(), System.getProperty("java.security.manager"),
                System.getProperty("java.home"));
    }

    static void requireSecurityManagerSupport(int feature, String smProperty, String javaHome) throws LaunchException {
        if (feature >= 24) {
            throw new LaunchException("AutoWeave needs Java 17 (or 18 to 23): this is Java " + feature + " from "
                    + javaHome + ", which no longer has the SecurityManager (JEP 486), so plugin permissions could "
                    + "not be enforced. Install OpenJDK 17 (apt-get install openjdk-17-jre-headless) and start with "
                    + "its java (Debian: /usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)/bin/java -jar autoweave.jar)");
        }
        if (feature >= 18 && !"allow".equals(smProperty) && System.getSecurityManager() == null) {
            throw new LaunchException("Java " + feature + " installs a SecurityManager only when asked: start with "
                    + "java -Djava.security.manager=allow -jar autoweave.jar (or use Java 17)");
        }
    }
}
