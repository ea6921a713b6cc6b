package io.autoweave.plugin.installer.internal.verify;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.autoweave.plugin.installer.testing.TestSigning;
import io.autoweave.plugin.installer.testing.TestSigning.Credentials;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TrustStoreTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private final Credentials ca = TestSigning.newCa("Store Test CA");

    @Test
    public void pkcs12TrustedCertificateEntriesAreLoaded() throws Exception {
        char[] password = "changeit".toCharArray();
        Path p12 = TestSigning.trustStore(tmp.newFile("trust.p12").toPath(), password, ca.certificate());
        assertEquals(List.of(ca.certificate()), TrustStore.load(p12, password).certificates());
    }

    @Test
    public void theCacheParsesTheFileOnceAndAgainOnlyWhenItChanges() throws Exception {
        char[] password = "changeit".toCharArray();
        Path p12 = TestSigning.trustStore(tmp.newFile("cached.p12").toPath(), password, ca.certificate());
        TrustStore.Cache cache = new TrustStore.Cache();
        TrustStore first = cache.get(p12, password);
        assertSame("unchanged file: the parsed store is reused", first, cache.get(p12, password));

        Credentials other = TestSigning.newCa("Other CA");
        TestSigning.trustStore(p12, password, other.certificate());
        Files.setLastModifiedTime(p12, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(p12).toMillis() + 2000)); // a coarse clock must not hide the change
        assertEquals("a changed file is read again", List.of(other.certificate()),
                cache.get(p12, password).certificates());

        Files.write(p12, new byte[] { 1, 2, 3 });
        assertThrows(java.security.GeneralSecurityException.class, () -> cache.get(p12, password));
        TestSigning.trustStore(p12, password, ca.certificate());
        Files.setLastModifiedTime(p12, java.nio.file.attribute.FileTime.fromMillis(
                Files.getLastModifiedTime(p12).toMillis() + 4000));
        assertEquals("a failed read is not remembered", List.of(ca.certificate()),
                cache.get(p12, password).certificates());
    }

    @Test
    public void jksTrustedCertificateEntriesAreLoaded() throws Exception {
        char[] password = "changeit".toCharArray();
        KeyStore jks = KeyStore.getInstance("JKS");
        jks.load(null, null);
        jks.setCertificateEntry("ca", ca.certificate());
        Path file = tmp.newFile("trust.jks").toPath();
        try (OutputStream out = Files.newOutputStream(file)) {
            jks.store(out, password);
        }
        assertEquals(List.of(ca.certificate()), TrustStore.load(file, password).certificates());
    }

    @Test
    public void privateKeyEntriesAreNotTrusted() throws Exception {
        char[] password = "changeit".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("signing-key", ca.key(), password, new Certificate[] {ca.certificate()});
        Path file = tmp.newFile("keys.p12").toPath();
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrustStore.load(file, password));
        assertTrue(e.getMessage(), e.getMessage().contains("keytool -importcert"));
    }

    @Test
    public void wrongPasswordFailsToLoad() throws Exception {
        Path p12 = TestSigning.trustStore(tmp.newFile("trust.p12").toPath(), "right".toCharArray(), ca.certificate());
        assertThrows(java.io.IOException.class, () -> TrustStore.load(p12, "wrong".toCharArray()));
    }
}
