package io.autoweave.launcher;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/** Which JVMs run plugins in process (framework security) and which only isolated. */
public class JavaCheckTest {

    @Test
    public void securityNeedsTheSecurityManager() {
        assertTrue(JavaCheck.securityAvailable(17, null, false));
        assertFalse("21 without allow installs none", JavaCheck.securityAvailable(21, null, false));
        assertTrue(JavaCheck.securityAvailable(21, "allow", false));
        assertFalse("JEP 486: gone in 24", JavaCheck.securityAvailable(24, "allow", false));
        assertFalse(JavaCheck.securityAvailable(25, null, false));
        assertTrue("one installed already counts", JavaCheck.securityAvailable(21, null, true));
    }

    @Test
    public void theLineSaysWhyAndWhatToDo() {
        String line = JavaCheck.isolatedOnlyLine(25, "/usr/lib/jvm/temurin-25-jdk-amd64");
        assertTrue(line, line.contains("JEP 486") && line.contains("isolated") && line.contains("Java 17"));
        assertTrue(JavaCheck.isolatedOnlyLine(21, "x").contains("-Djava.security.manager=allow"));
    }
}
