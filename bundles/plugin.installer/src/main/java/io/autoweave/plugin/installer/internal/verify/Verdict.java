package io.autoweave.plugin.installer.internal.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import io.autoweave.plugin.installer.InstallError;

/**
 * Outcome of verifying one candidate. An accepted verdict owns a private copy of the verified bytes: install from
 * {@link #verifiedCopy()} (never from the original path, which may have changed since), then {@link #discardCopy()}.
 * A refused verdict has no copy; it was deleted before the verdict was returned.
 */
public final class Verdict {
    private final InstallError code;
    private final String reason;
    private final Path candidate;
    private final Path verifiedCopy;
    private final String sha256;
    private final String symbolicName;
    private final String version;
    private final List<CodeSigner> signers;

    private Verdict(InstallError code, String reason, Path candidate, Path verifiedCopy, String sha256,
            String symbolicName, String version, List<CodeSigner> signers) {
        this.code = code;
        this.reason = Objects.requireNonNull(reason);
        this.candidate = candidate;
        this.verifiedCopy = verifiedCopy;
        this.sha256 = sha256;
        this.symbolicName = symbolicName;
        this.version = version;
        this.signers = List.copyOf(signers);
    }

    static Verdict accepted(Path candidate, Path copy, String sha256, String symbolicName, String version,
            List<CodeSigner> signers) {
        String who = signers.stream().map(Verdict::subjectOf).collect(Collectors.joining("; "));
        return new Verdict(null, "signed by " + who, candidate, copy, sha256, symbolicName, version,
                signers);
    }

    static Verdict refused(Path candidate, InstallError code, String reason, String sha256) {
        Objects.requireNonNull(code, "a refusal needs a refusal code");
        return new Verdict(code, reason, candidate, null, sha256, null, null, List.of());
    }

    public boolean isAccepted() {
        return code == null;
    }

    /** Why it was refused; {@code null} when accepted. */
    public InstallError code() {
        return code;
    }

    /** For a person: what was found and, where it helps, what to do about it. */
    public String reason() {
        return reason;
    }

    /** The path the caller asked about. */
    public Path candidate() {
        return candidate;
    }

    /** The private copy that was verified, or {@code null} when refused. */
    public Path verifiedCopy() {
        return verifiedCopy;
    }

    /** Hex SHA-256 of the bytes that were verified (for audit logs), or {@code null} if they could not be read. */
    public String sha256() {
        return sha256;
    }

    public String symbolicName() {
        return symbolicName;
    }

    /** The {@code Bundle-Version} header as written, or {@code "0.0.0"} when absent; {@code null} when refused. */
    public String version() {
        return version;
    }

    /** The verified signers (certificate path and optional timestamp); empty when refused. */
    public List<CodeSigner> signers() {
        return signers;
    }

    /** Deletes the verified copy; call after {@code installBundle} has read it. */
    public void discardCopy() throws IOException {
        if (verifiedCopy != null) {
            Files.deleteIfExists(verifiedCopy);
        }
    }

    @Override
    public String toString() {
        if (isAccepted()) {
            return "ACCEPTED " + symbolicName + " " + version + " (" + reason + ")";
        }
        return "REFUSED " + code + " " + candidate + ": " + reason;
    }

    private static String subjectOf(CodeSigner signer) {
        return ((X509Certificate) signer.getSignerCertPath().getCertificates().get(0))
                .getSubjectX500Principal().getName();
    }
}
