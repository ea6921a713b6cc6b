package io.autoweave.plugin.installer.internal.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.autoweave.fuzz.ParserFuzzTest;

/**
 * The install gate on raw archive bytes (what a drop folder or an upload hands it). The seeds are real bundles,
 * unsigned and signed by a CA this harness does not trust, so mutations reach every check up to the trust decision.
 * Contract: see {@link VerifierHarness#verify}.
 */
class JarVerifierArchiveFuzzTest {

    @ParserFuzzTest
    void anyArchiveGetsAVerdictWithAReasonAndLeavesNoCopy(byte[] data) throws IOException {
        VerifierHarness h = VerifierHarness.get();
        Path candidate = Files.write(h.dir.resolve("candidate.jar"), data);
        h.verify(candidate);
    }
}
