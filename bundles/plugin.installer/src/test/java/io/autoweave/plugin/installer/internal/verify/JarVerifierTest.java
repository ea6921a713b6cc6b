package io.autoweave.plugin.installer.internal.verify;

import static io.autoweave.plugin.installer.testing.TestSigning.bundleHeaders;
import static io.autoweave.plugin.installer.testing.TestSigning.issue;
import static io.autoweave.plugin.installer.testing.TestSigning.newCa;
import static io.autoweave.plugin.installer.testing.TestSigning.sign;
import static io.autoweave.plugin.installer.testing.TestSigning.tamper;
import static io.autoweave.plugin.installer.testing.TestSigning.writeJar;
import static io.autoweave.plugin.installer.testing.TestSigning.writeZip;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.autoweave.plugin.installer.testing.TestSigning;
import io.autoweave.plugin.installer.testing.TestSigning.Credentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import io.autoweave.plugin.installer.InstallError;

/** The test corpus is generated here, at test time, with keys that exist only in memory. */
public class JarVerifierTest {
    @ClassRule
    public static final TemporaryFolder TMP = new TemporaryFolder();

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static Credentials ca;
    private static Credentials signer;
    private static Path workDir;
    private static JarVerifier verifier;

    @BeforeClass
    public static void corpus() throws IOException {
        ca = newCa("AutoWeave Test CA");
        signer = issue(ca, "AutoWeave Test Signer");
        workDir = TMP.newFolder("work").toPath();
        verifier = new JarVerifier(TrustStore.of(ca.chain()), VerifierLimits.defaults(), workDir,
                Clock.systemUTC());
    }

    // ---- corpus helpers ------------------------------------------------------------------------------------------

    private static Path file(String name) {
        return TMP.getRoot().toPath().resolve(COUNTER.incrementAndGet() + "-" + name);
    }

    private static Map<String, byte[]> content() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("com/example/", new byte[0]);
        entries.put("com/example/Plugin.class", "pretend bytecode".getBytes(StandardCharsets.UTF_8));
        entries.put("com/example/messages.properties", "hello=world\n".getBytes(StandardCharsets.UTF_8));
        entries.put("OSGI-INF/permissions.perm", "(java.util.PropertyPermission \"*\" \"read\")\n"
                .getBytes(StandardCharsets.UTF_8));
        return entries;
    }

    private static Path unsignedBundle(String bsn) {
        return writeJar(file("unsigned.jar"), bundleHeaders(bsn), content());
    }

    private static Path goodBundle() {
        return sign(unsignedBundle("com.example.good"), file("good.jar"), signer);
    }

    private static Verdict refusedWith(InstallError code, Path jar) {
        return refusedWith(code, jar, verifier);
    }

    private static Verdict refusedWith(InstallError code, Path jar, JarVerifier v) {
        Verdict verdict = v.verify(jar);
        if (Boolean.getBoolean("autoweave.printVerdicts")) {
            System.out.println(verdict);
        }
        assertEquals(verdict.toString(), code, verdict.code());
        assertFalse(verdict.isAccepted());
        assertNull(verdict.verifiedCopy());
        assertFalse(verdict.reason().isBlank());
        return verdict;
    }

    private static void assertAccepted(Verdict verdict) {
        if (Boolean.getBoolean("autoweave.printVerdicts")) {
            System.out.println(verdict);
        }
        assertNull(verdict.toString(), verdict.code());
        assertTrue(verdict.isAccepted());
        assertTrue(Files.isRegularFile(verdict.verifiedCopy()));
    }

    // ---- the good case --------------------------------------------------------------------------------------------

    @Test
    public void signedBundleFromTrustedCaIsAcceptedWithIdentityAndPrivateCopy() throws Exception {
        Path good = goodBundle();
        Verdict verdict = verifier.verify(good);
        assertAccepted(verdict);
        assertEquals("com.example.good", verdict.symbolicName());
        assertEquals("1.0.0", verdict.version());
        assertEquals(1, verdict.signers().size());
        assertTrue(verdict.reason().contains("AutoWeave Test Signer"));
        Path copy = verdict.verifiedCopy();
        assertTrue(copy.startsWith(workDir));
        assertArrayEquals(Files.readAllBytes(good), Files.readAllBytes(copy));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(good))),
                verdict.sha256());
        verdict.discardCopy();
        assertFalse(Files.exists(copy));
    }

    @Test
    public void changingTheCandidateAfterVerificationDoesNotChangeTheVerifiedCopy() throws Exception {
        Path good = goodBundle();
        byte[] original = Files.readAllBytes(good);
        Verdict verdict = verifier.verify(good);
        assertAccepted(verdict);
        tamper(good, good, e -> e.put("com/example/Evil.class", new byte[] {1, 2, 3}));
        assertArrayEquals(original, Files.readAllBytes(verdict.verifiedCopy()));
        verdict.discardCopy();
    }

    @Test
    public void refusalsLeaveNoCopyBehind() throws Exception {
        Path ownWorkDir = TMP.newFolder("refusals-work").toPath();
        JarVerifier own = new JarVerifier(TrustStore.of(ca.chain()), VerifierLimits.defaults(), ownWorkDir,
                Clock.systemUTC());
        refusedWith(InstallError.UNSIGNED, unsignedBundle("com.example.unsigned"), own);
        refusedWith(InstallError.DIGEST_MISMATCH, tamper(goodBundle(), file("mod.jar"),
                e -> e.put("com/example/Plugin.class", "evil".getBytes(StandardCharsets.UTF_8))), own);
        refusedWith(InstallError.CORRUPT_ARCHIVE, Files.write(file("junk.jar"), new byte[] {1, 2, 3}), own);
        try (Stream<Path> left = Files.list(ownWorkDir)) {
            assertEquals(List.of(), left.collect(java.util.stream.Collectors.toList()));
        }
    }

    @Test
    public void rsaSignerWithSha256WithRsaIsAccepted() {
        Credentials rsa = issue(ca, "RSA Signer", TestSigning.rsaKey(2048), Instant.now().minus(1, ChronoUnit.DAYS),
                Instant.now().plus(30, ChronoUnit.DAYS), "SHA256withECDSA");
        Verdict verdict = verifier.verify(sign(unsignedBundle("com.example.rsa"), file("rsa.jar"), rsa, "SHA-384",
                "SHA256withRSA"));
        assertAccepted(verdict);
    }

    @Test
    public void signerCertificatePinnedInTheTrustStoreIsAccepted() throws IOException {
        Credentials pinned = TestSigning.selfSigned("Pinned Signer");
        JarVerifier pinning = new JarVerifier(TrustStore.of(pinned.chain()), VerifierLimits.defaults(), workDir,
                Clock.systemUTC());
        assertAccepted(pinning.verify(sign(unsignedBundle("com.example.pinned"), file("pinned.jar"), pinned)));
    }

    @Test
    public void bundleSignedTwiceByTrustedSignersIsAccepted() {
        Path once = goodBundle();
        Credentials second = issue(ca, "Second Signer");
        Verdict verdict = verifier.verify(sign(once, file("twice.jar"), second));
        assertAccepted(verdict);
        assertEquals(2, verdict.signers().size());
    }

    // ---- tampering ------------------------------------------------------------------------------------------------

    @Test
    public void modifiedEntryIsRefused() {
        Verdict v = refusedWith(InstallError.DIGEST_MISMATCH, tamper(goodBundle(), file("modified.jar"),
                e -> e.put("com/example/messages.properties", "hello=evil\n".getBytes(StandardCharsets.UTF_8))));
        assertTrue(v.reason().contains("com/example/messages.properties"));
    }

    @Test
    public void addedUnsignedEntryIsRefused() {
        Verdict v = refusedWith(InstallError.UNSIGNED_ENTRY, tamper(goodBundle(), file("added.jar"),
                e -> e.put("com/example/Backdoor.class", new byte[] {(byte) 0xCA, (byte) 0xFE})));
        assertTrue(v.reason().contains("com/example/Backdoor.class"));
    }

    @Test
    public void addedUnsignedMetaInfEntryIsRefused() {
        refusedWith(InstallError.UNSIGNED_ENTRY, tamper(goodBundle(), file("added-meta.jar"),
                e -> e.put("META-INF/services/java.sql.Driver", "evil.Driver".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    public void removedEntryIsRefused() {
        Verdict v = refusedWith(InstallError.MISSING_ENTRY, tamper(goodBundle(), file("removed.jar"),
                e -> e.remove("OSGI-INF/permissions.perm")));
        assertTrue(v.reason().contains("OSGI-INF/permissions.perm"));
    }

    @Test
    public void manifestSwappedForAnotherSignedBundlesManifestIsRefused() {
        Path other = sign(writeJar(file("other.jar"), bundleHeaders("com.example.other"), content()),
                file("other-signed.jar"), signer);
        byte[] otherManifest = TestSigning.readZip(other).get("META-INF/MANIFEST.MF");
        refusedWith(InstallError.MANIFEST_TAMPERED, tamper(goodBundle(), file("swapped.jar"),
                e -> e.put("META-INF/MANIFEST.MF", otherManifest)));
    }

    @Test
    public void manifestWithEditedHeaderIsRefused() {
        refusedWith(InstallError.MANIFEST_TAMPERED, tamper(goodBundle(), file("edited-manifest.jar"), e -> {
            String mf = new String(e.get("META-INF/MANIFEST.MF"), StandardCharsets.UTF_8);
            e.put("META-INF/MANIFEST.MF", mf.replace("Bundle-Version: 1.0.0", "Bundle-Version: 9.0.0")
                    .getBytes(StandardCharsets.UTF_8));
        }));
    }

    @Test
    public void corruptedSignatureBlockIsRefused() {
        refusedWith(InstallError.SIGNATURE_INVALID, tamper(goodBundle(), file("bad-block.jar"), e -> {
            String block = e.keySet().stream().filter(n -> n.endsWith(".EC")).findFirst().orElseThrow();
            byte[] b = e.get(block).clone();
            b[b.length - 1] ^= 0x01; // inside the ECDSA signature value
            e.put(block, b);
        }));
    }

    @Test
    public void signatureBlockThatIsNotPkcs7IsRefused() {
        refusedWith(InstallError.SIGNATURE_INVALID, tamper(goodBundle(), file("junk-block.jar"), e -> {
            String block = e.keySet().stream().filter(n -> n.endsWith(".EC")).findFirst().orElseThrow();
            byte[] junk = new byte[300];
            new Random(3).nextBytes(junk);
            e.put(block, junk);
        }));
    }

    @Test
    public void signatureFileWithoutBlockIsRefused() {
        refusedWith(InstallError.SIGNATURE_INVALID, tamper(goodBundle(), file("no-block.jar"),
                e -> e.keySet().removeIf(n -> n.endsWith(".EC"))));
    }

    // ---- trust and certificates -----------------------------------------------------------------------------------

    @Test
    public void signerFromAnotherCaIsRefusedAsUntrusted() {
        Credentials stranger = issue(newCa("Some Other CA"), "Stranger");
        refusedWith(InstallError.UNTRUSTED_SIGNER, sign(unsignedBundle("com.example.stranger"), file("stranger.jar"),
                stranger));
    }

    @Test
    public void selfSignedSignerNotInTrustStoreIsRefusedAsUntrusted() {
        refusedWith(InstallError.UNTRUSTED_SIGNER, sign(unsignedBundle("com.example.self"), file("self.jar"),
                TestSigning.selfSigned("Self Signer")));
    }

    @Test
    public void oneUntrustedSignerAmongTwoIsRefused() {
        Credentials stranger = issue(newCa("Yet Another CA"), "Stranger Two");
        refusedWith(InstallError.UNTRUSTED_SIGNER, sign(goodBundle(), file("mixed.jar"), stranger));
    }

    @Test
    public void expiredSignerCertificateIsRefused() {
        Instant now = Instant.now();
        Credentials expired = issue(ca, "Expired Signer", TestSigning.ecKey(), now.minus(400, ChronoUnit.DAYS),
                now.minus(35, ChronoUnit.DAYS), "SHA256withECDSA");
        refusedWith(InstallError.CERTIFICATE_EXPIRED, sign(unsignedBundle("com.example.expired"), file("expired.jar"),
                expired));
    }

    @Test
    public void signerCertificateNotYetValidIsRefused() {
        Instant now = Instant.now();
        Credentials future = issue(ca, "Future Signer", TestSigning.ecKey(), now.plus(10, ChronoUnit.DAYS),
                now.plus(400, ChronoUnit.DAYS), "SHA256withECDSA");
        refusedWith(InstallError.CERTIFICATE_NOT_YET_VALID, sign(unsignedBundle("com.example.future"),
                file("future.jar"), future));
    }

    @Test
    public void validityIsJudgedAgainstTheInjectedClock() throws IOException {
        JarVerifier later = new JarVerifier(TrustStore.of(ca.chain()), VerifierLimits.defaults(), workDir,
                Clock.fixed(Instant.now().plus(2 * 365, ChronoUnit.DAYS), java.time.ZoneOffset.UTC));
        refusedWith(InstallError.CERTIFICATE_EXPIRED, goodBundle(), later);
    }

    @Test
    public void certificateWithoutCodeSigningUsageIsRefused() {
        var key = TestSigning.ecKey();
        var cert = new TestSigning.CertificateBuilder("Server Only", key.getPublic())
                .addExtension("2.5.29.37", false, derSequenceOfOid(new byte[] {0x2B, 6, 1, 5, 5, 7, 3, 1}))
                .signedBy(ca.certificate().getSubjectX500Principal().getName(), ca.key(), "SHA256withECDSA");
        Credentials server = new Credentials(key.getPrivate(), List.of(cert, ca.certificate()));
        refusedWith(InstallError.CERTIFICATE_USAGE, sign(unsignedBundle("com.example.tls"), file("tls.jar"), server));
    }

    private static byte[] derSequenceOfOid(byte[] oidBody) {
        byte[] oid = new byte[oidBody.length + 2];
        oid[0] = 0x06;
        oid[1] = (byte) oidBody.length;
        System.arraycopy(oidBody, 0, oid, 2, oidBody.length);
        byte[] seq = new byte[oid.length + 2];
        seq[0] = 0x30;
        seq[1] = (byte) oid.length;
        System.arraycopy(oid, 0, seq, 2, oid.length);
        return seq;
    }

    // ---- algorithms -----------------------------------------------------------------------------------------------

    @Test
    public void sha1DigestsAreRefused() {
        Verdict v = refusedWith(InstallError.WEAK_ALGORITHM, sign(unsignedBundle("com.example.sha1"),
                file("sha1.jar"), signer, "SHA-1", null));
        assertTrue(v.reason(), v.reason().contains("SHA-1"));
    }

    @Test
    public void md5DigestsAreRefused() {
        refusedWith(InstallError.WEAK_ALGORITHM, sign(unsignedBundle("com.example.md5"), file("md5.jar"), signer,
                "MD5", null));
    }

    @Test
    public void sha1WithRsaSignatureIsRefused() {
        Credentials rsa = issue(ca, "RSA SHA1 Signer", TestSigning.rsaKey(2048),
                Instant.now().minus(1, ChronoUnit.DAYS), Instant.now().plus(30, ChronoUnit.DAYS), "SHA256withECDSA");
        Verdict v = refusedWith(InstallError.WEAK_ALGORITHM, sign(unsignedBundle("com.example.sha1rsa"),
                file("sha1rsa.jar"), rsa, "SHA-256", "SHA1withRSA"));
        assertTrue(v.reason(), v.reason().contains("SHA-1") || v.reason().contains("SHA1withRSA"));
    }

    @Test
    public void shortRsaKeyIsRefused() {
        Credentials weak = issue(ca, "Weak Key Signer", TestSigning.rsaKey(1024),
                Instant.now().minus(1, ChronoUnit.DAYS), Instant.now().plus(30, ChronoUnit.DAYS), "SHA256withECDSA");
        Verdict v = refusedWith(InstallError.WEAK_ALGORITHM, sign(unsignedBundle("com.example.rsa1024"),
                file("rsa1024.jar"), weak, "SHA-256", "SHA256withRSA"));
        assertTrue(v.reason(), v.reason().contains("1024"));
    }

    @Test
    public void signerCertificateSignedWithSha1IsRefused() {
        Credentials sha1Cert = issue(ca, "SHA1 Cert Signer", TestSigning.ecKey(),
                Instant.now().minus(1, ChronoUnit.DAYS), Instant.now().plus(30, ChronoUnit.DAYS), "SHA1withECDSA");
        refusedWith(InstallError.WEAK_ALGORITHM, sign(unsignedBundle("com.example.sha1cert"), file("sha1cert.jar"),
                sha1Cert));
    }

    // ---- archive and manifest sanity ------------------------------------------------------------------------------

    @Test
    public void unsignedBundleIsRefused() {
        refusedWith(InstallError.UNSIGNED, unsignedBundle("com.example.unsigned"));
    }

    @Test
    public void randomBytesAreRefusedAsCorrupt() throws IOException {
        byte[] junk = new byte[4096];
        new Random(42).nextBytes(junk);
        refusedWith(InstallError.CORRUPT_ARCHIVE, Files.write(file("junk.jar"), junk));
    }

    @Test
    public void truncatedArchiveIsRefusedAsCorrupt() throws IOException {
        byte[] good = Files.readAllBytes(goodBundle());
        refusedWith(InstallError.CORRUPT_ARCHIVE, Files.write(file("truncated.jar"),
                Arrays.copyOf(good, good.length / 2)));
    }

    @Test
    public void missingCandidateIsRefusedAsUnreadable() {
        refusedWith(InstallError.UNREADABLE, file("does-not-exist.jar"));
    }

    @Test
    public void parentTraversalEntryNameIsRefused() {
        Map<String, byte[]> entries = content();
        entries.put("../../etc/cron.d/evil", new byte[] {1});
        refusedWith(InstallError.UNSAFE_ENTRY_NAME, sign(writeJar(file("slip.jar"),
                bundleHeaders("com.example.slip"), entries), file("slip-signed.jar"), signer));
    }

    @Test
    public void absoluteAndBackslashEntryNamesAreRefused() {
        Map<String, byte[]> absolute = content();
        absolute.put("/etc/passwd", new byte[] {1});
        refusedWith(InstallError.UNSAFE_ENTRY_NAME, writeJar(file("abs.jar"), bundleHeaders("a.b"), absolute));
        Map<String, byte[]> backslash = content();
        backslash.put("com\\..\\..\\evil", new byte[] {1});
        refusedWith(InstallError.UNSAFE_ENTRY_NAME, writeJar(file("bs.jar"), bundleHeaders("a.b"), backslash));
    }

    @Test
    public void duplicateEntryNamesAreRefused() throws IOException {
        Map<String, byte[]> entries = content();
        entries.put("com/example/Twin1.class", new byte[] {1});
        entries.put("com/example/Twin2.class", new byte[] {2});
        Path jar = writeJar(file("dup.jar"), bundleHeaders("com.example.dup"), entries);
        // ZipOutputStream refuses duplicates, so rename the second entry in place (local and central headers)
        byte[] bytes = Files.readAllBytes(jar);
        byte[] from = "Twin2.class".getBytes(StandardCharsets.UTF_8);
        byte[] to = "Twin1.class".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + from.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, bytes, i, to.length);
            }
        }
        refusedWith(InstallError.DUPLICATE_ENTRY, Files.write(jar, bytes));
    }

    @Test
    public void highlyCompressedEntryIsRefusedAsZipBomb() {
        Map<String, byte[]> entries = content();
        entries.put("zeros.bin", new byte[20 << 20]);
        refusedWith(InstallError.ZIP_BOMB, writeJar(file("bomb.jar"), bundleHeaders("com.example.bomb"), entries));
    }

    @Test
    public void entryLyingAboutItsSizeIsRefusedWithoutInflatingPastTheDeclaredSize() throws IOException {
        Map<String, byte[]> entries = content();
        entries.put("zeros.bin", new byte[20 << 20]);
        Path signed = sign(writeJar(file("liar.jar"), bundleHeaders("com.example.liar"), entries),
                file("liar-signed.jar"), signer);
        byte[] bytes = Files.readAllBytes(signed);
        setCentralDirectorySize(bytes, "zeros.bin", 1000); // the central directory now lies: 1000 bytes
        // The JDK's verifying stream stops at the declared size, so the lie surfaces as a digest mismatch
        Verdict v = refusedWith(InstallError.DIGEST_MISMATCH, Files.write(signed, bytes));
        assertTrue(v.reason(), v.reason().contains("zeros.bin"));
    }

    /** Rewrites the uncompressed-size field of {@code name}'s central directory record. */
    private static void setCentralDirectorySize(byte[] zip, String name, int size) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + 46 + n.length <= zip.length; i++) {
            if (zip[i] == 0x50 && zip[i + 1] == 0x4b && zip[i + 2] == 1 && zip[i + 3] == 2
                    && (zip[i + 28] & 0xff | (zip[i + 29] & 0xff) << 8) == n.length
                    && Arrays.equals(zip, i + 46, i + 46 + n.length, n, 0, n.length)) {
                for (int b = 0; b < 4; b++) {
                    zip[i + 24 + b] = (byte) (size >>> (8 * b));
                }
                return;
            }
        }
        throw new AssertionError("no central directory record for " + name);
    }

    @Test
    public void tooManyEntriesAreRefusedAsZipBomb() throws IOException {
        Map<String, byte[]> entries = content();
        for (int i = 0; i < 50; i++) {
            entries.put("many/" + i, new byte[] {(byte) i});
        }
        JarVerifier strict = new JarVerifier(TrustStore.of(ca.chain()),
                new VerifierLimits(1 << 20, 20, 1 << 20, 100, 1 << 20, 4096), workDir, Clock.systemUTC());
        refusedWith(InstallError.ZIP_BOMB, writeJar(file("many.jar"), bundleHeaders("com.example.many"), entries),
                strict);
    }

    @Test
    public void tooMuchUncompressedDataIsRefusedAsZipBomb() throws IOException {
        Map<String, byte[]> entries = content();
        byte[] noise = new byte[200 << 10];
        new Random(1).nextBytes(noise);
        entries.put("noise.bin", noise);
        JarVerifier strict = new JarVerifier(TrustStore.of(ca.chain()),
                new VerifierLimits(1 << 20, 100, 100 << 10, 100, 1 << 20, 4096), workDir, Clock.systemUTC());
        refusedWith(InstallError.ZIP_BOMB, writeJar(file("big.jar"), bundleHeaders("com.example.big"), entries),
                strict);
    }

    @Test
    public void archiveLargerThanTheLimitIsRefusedWhileCopying() throws IOException {
        JarVerifier tiny = new JarVerifier(TrustStore.of(ca.chain()),
                new VerifierLimits(100, 100, 1 << 20, 100, 1 << 20, 4096), workDir, Clock.systemUTC());
        refusedWith(InstallError.ARCHIVE_TOO_LARGE, goodBundle(), tiny);
    }

    @Test
    public void hugeManifestIsRefused() {
        Map<String, String> headers = bundleHeaders("com.example.huge");
        headers.put("X-Padding", "x".repeat(600 << 10));
        refusedWith(InstallError.MANIFEST_TOO_LARGE, writeJar(file("huge.jar"), headers, content()));
    }

    @Test
    public void missingManifestIsRefused() {
        refusedWith(InstallError.MANIFEST_MISSING, writeZip(file("nomanifest.jar"), content()));
    }

    @Test
    public void signedJarWithoutBundleSymbolicNameIsRefused() {
        Map<String, String> headers = bundleHeaders("ignored");
        headers.put("Bundle-SymbolicName", null);
        refusedWith(InstallError.MISSING_SYMBOLIC_NAME, sign(writeJar(file("nobsn.jar"), headers, content()),
                file("nobsn-signed.jar"), signer));
    }

    @Test
    public void malformedOsgiHeadersAreRefused() {
        Map<String, String> badVersion = bundleHeaders("com.example.badversion");
        badVersion.put("Bundle-Version", "one.two");
        refusedWith(InstallError.MANIFEST_INVALID, sign(writeJar(file("badver.jar"), badVersion, content()),
                file("badver-signed.jar"), signer));
        Map<String, String> r3 = bundleHeaders("com.example.r3");
        r3.put("Bundle-ManifestVersion", null);
        refusedWith(InstallError.MANIFEST_INVALID, sign(writeJar(file("r3.jar"), r3, content()),
                file("r3-signed.jar"), signer));
    }

    // ---- performance ----------------------------------------------------------------------------------------------

    @Test
    public void oneMegabyteBundleVerifiesWellUnderOneHundredMilliseconds() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[5 << 10];
            random.nextBytes(b); // incompressible, so the archive really is ~1 MB
            entries.put("com/example/big/Class" + i + ".class", b);
        }
        Path jar = sign(writeJar(file("1mb.jar"), bundleHeaders("com.example.big"), entries), file("1mb-signed.jar"),
                signer);
        assertTrue(Files.size(jar) > 1_000_000);
        for (int i = 0; i < 10; i++) {
            verifier.verify(jar).discardCopy(); // warm-up
        }
        long[] nanos = new long[21];
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            Verdict verdict = verifier.verify(jar);
            nanos[i] = System.nanoTime() - start;
            assertAccepted(verdict);
            verdict.discardCopy();
        }
        Arrays.sort(nanos);
        double medianMs = nanos[nanos.length / 2] / 1e6;
        System.out.printf("verification of a %d-byte, 200-entry bundle: median %.1f ms, min %.1f ms, max %.1f ms%n",
                Files.size(jar), medianMs, nanos[0] / 1e6, nanos[nanos.length - 1] / 1e6);
        assertTrue("median " + medianMs + " ms", medianMs < 100);
    }

    @Test
    public void verdictCarriesTheSignerCertificatePath() {
        Verdict verdict = verifier.verify(goodBundle());
        assertAccepted(verdict);
        assertNotNull(verdict.signers().get(0).getSignerCertPath());
        try {
            verdict.discardCopy();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
