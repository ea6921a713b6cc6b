package io.autoweave.plugin.installer.internal.verify;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.plugin.installer.testing.TestSigning;

public class FrameworkCopyTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void signatureBlockFilesAreRecognisedOnlyDirectlyInMetaInf() {
        assertTrue(FrameworkCopy.isSignatureFile("META-INF/SIGNER.SF"));
        assertTrue(FrameworkCopy.isSignatureFile("META-INF/signer.ec"));
        assertTrue(FrameworkCopy.isSignatureFile("META-INF/A.RSA"));
        assertTrue(FrameworkCopy.isSignatureFile("META-INF/SIG-X"));
        assertFalse(FrameworkCopy.isSignatureFile("META-INF/MANIFEST.MF"));
        assertFalse(FrameworkCopy.isSignatureFile("META-INF/sub/A.SF"));
        assertFalse(FrameworkCopy.isSignatureFile("a/A.SF"));
    }

    @Test
    public void theFrameworkCopyKeepsEveryEntryButTheSignatureAndReadsAsUnsigned() throws Exception {
        TestSigning.Credentials ca = TestSigning.newCa("Copy CA");
        Path unsigned = TestSigning.writeJar(tmp.getRoot().toPath().resolve("u.jar"),
                TestSigning.bundleHeaders("copy.test"), Map.of("a/b.txt", "hello".getBytes(), "c.txt", new byte[5000]));
        Path signed = TestSigning.sign(unsigned, tmp.getRoot().toPath().resolve("s.jar"),
                TestSigning.issue(ca, "Copy Signer"));
        byte[] copy = FrameworkCopy.unsigned(signed);
        List<String> names = new ArrayList<>();
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(copy), true)) {
            assertEquals("copy.test", in.getManifest().getMainAttributes().getValue("Bundle-SymbolicName"));
            for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                byte[] data = in.readAllBytes();
                names.add(e.getName());
                assertNull("no signer: " + e.getName(), e.getCodeSigners());
                if (e.getName().equals("a/b.txt")) {
                    assertArrayEquals("hello".getBytes(), data);
                }
            }
        }
        assertTrue(names.toString(), names.contains("a/b.txt") && names.contains("c.txt"));
        assertTrue(names.toString(), names.stream().noneMatch(FrameworkCopy::isSignatureFile));
        assertTrue("the signed jar had signature files", Files.size(signed) > 0);
    }
}
