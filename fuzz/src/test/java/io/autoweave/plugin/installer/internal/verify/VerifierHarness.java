package io.autoweave.plugin.installer.internal.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;

import io.autoweave.plugin.installer.testing.TestSigning;
import io.autoweave.plugin.installer.testing.TestSigning.Credentials;
import io.autoweave.plugin.installer.InstallError;

/** One verifier with a test CA for both verifier harnesses, and the verdict contract they share. */
final class VerifierHarness {
    private static VerifierHarness instance;

    final Credentials ca;
    final Credentials signer;
    final Path dir;
    final Path workDir;
    final JarVerifier verifier;

    private VerifierHarness() throws IOException {
        ca = TestSigning.newCa("AutoWeave Fuzz CA");
        signer = TestSigning.issue(ca, "AutoWeave Fuzz Signer");
        dir = Files.createTempDirectory("verifier-fuzz");
        workDir = dir.resolve("work");
        verifier = new JarVerifier(TrustStore.of(ca.chain()), VerifierLimits.defaults(), workDir, Clock.systemUTC());
    }

    static synchronized VerifierHarness get() {
        if (instance == null) {
            try {
                instance = new VerifierHarness();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /**
     * Verifies {@code candidate} and checks the gate's contract: never an unexpected error (VERIFICATION_ERROR
     * means a RuntimeException escaped a check), a reason on every refusal, an accepted plugin only with a
     * symbolic name and trusted signers, and no private copy left behind by a refusal.
     */
    Verdict verify(Path candidate) throws IOException {
        Verdict verdict = verifier.verify(candidate);
        assertNotEquals(InstallError.VERIFICATION_ERROR, verdict.code(), verdict::reason);
        if (verdict.isAccepted()) {
            assertNotNull(verdict.symbolicName(), "accepted without a symbolic name");
            assertTrue(!verdict.signers().isEmpty(), "accepted without a signer");
            assertTrue(Files.isRegularFile(verdict.verifiedCopy()), "accepted without its verified copy");
            verdict.discardCopy();
        } else {
            assertNotNull(verdict.reason(), "refused without a reason");
            assertTrue(!verdict.reason().isBlank(), "refused with a blank reason");
        }
        try (Stream<Path> left = Files.list(workDir)) {
            assertEquals(0, left.count(), "private copies left in the work directory after " + verdict.code());
        }
        return verdict;
    }
}
