package io.autoweave.plugin.installer.internal.verify;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarFile;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.autoweave.fuzz.ParserFuzzTest;

import io.autoweave.plugin.installer.testing.TestSigning;

/**
 * The install gate on well-formed ZIPs with fuzzed manifests, entry names and contents, sometimes signed by the
 * trusted test signer and sometimes edited after signing. Contract: see {@link VerifierHarness#verify}; in
 * addition, a bundle edited after signing is never accepted.
 */
class JarVerifierBundleFuzzTest {

    @ParserFuzzTest
    void fuzzedBundlesGetAVerdictAndEditsAfterSigningAreRefused(FuzzedDataProvider data) throws IOException {
        VerifierHarness h = VerifierHarness.get();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(JarFile.MANIFEST_NAME, manifest(data).getBytes(StandardCharsets.UTF_8));
        int count = data.consumeInt(0, 4);
        for (int i = 0; i < count; i++) {
            String name = data.consumeString(40);
            if (!name.isEmpty() && !entries.containsKey(name)) {
                entries.put(name, data.consumeBytes(64));
            }
        }
        Path unsigned;
        try {
            unsigned = TestSigning.writeZip(h.dir.resolve("unsigned.jar"), entries);
        } catch (RuntimeException e) {
            return; // a name java.util.zip cannot write (e.g. too long when encoded) is no archive
        }
        Path candidate = unsigned;
        boolean edited = false;
        if (data.consumeBoolean()) {
            try {
                candidate = TestSigning.sign(unsigned, h.dir.resolve("signed.jar"), h.signer);
            } catch (RuntimeException e) {
                return; // JarSigner refused the input (e.g. a malformed manifest): nothing signed to check
            }
            if (data.consumeBoolean()) {
                String target = data.consumeString(40);
                byte[] bytes = data.consumeRemainingAsBytes();
                byte[] before = TestSigning.readZip(candidate).get(target);
                if (target.isEmpty() || Arrays.equals(before, bytes)) {
                    return;
                }
                try {
                    candidate = TestSigning.tamper(candidate, h.dir.resolve("edited.jar"), e -> e.put(target, bytes));
                } catch (RuntimeException e) {
                    return; // a name java.util.zip cannot write
                }
                // an empty directory entry carries nothing to sign, so adding one is not an edit of the content
                edited = !(before == null && target.endsWith("/") && bytes.length == 0);
            }
        }
        Verdict verdict = h.verify(candidate);
        boolean wasEdited = edited;
        assertTrue(!(wasEdited && verdict.isAccepted()), () -> "a bundle edited after signing was accepted: " + verdict);
    }

    /** A manifest: usually the bundle headers with fuzzed values, sometimes free text. */
    private static String manifest(FuzzedDataProvider data) {
        if (data.consumeBoolean()) {
            return data.consumeString(300);
        }
        StringBuilder b = new StringBuilder("Manifest-Version: 1.0\r\n");
        b.append("Bundle-ManifestVersion: ").append(data.consumeBoolean() ? "2" : data.consumeString(4)).append("\r\n");
        b.append("Bundle-SymbolicName: ").append(data.consumeBoolean() ? "com.example.fuzz" : data.consumeString(30))
                .append("\r\n");
        if (data.consumeBoolean()) {
            b.append("Bundle-Version: ").append(data.consumeString(20)).append("\r\n");
        }
        if (data.consumeBoolean()) {
            b.append(data.consumeString(60)).append("\r\n");
        }
        return b.append("\r\n").toString();
    }
}
