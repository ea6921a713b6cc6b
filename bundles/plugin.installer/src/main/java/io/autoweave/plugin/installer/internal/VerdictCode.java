package io.autoweave.plugin.installer.internal;

/**
 * Machine-readable outcome of {@link JarVerifier#verify}. Every value except {@link #ACCEPTED} is a refusal; the
 * {@link Verdict#reason() reason} says in words what was found. Listed in the order the checks run.
 */
public enum VerdictCode {
    /** Every check passed; install from {@link Verdict#verifiedCopy()}. */
    ACCEPTED,

    /** The candidate could not be read or copied (missing, a directory, I/O error). */
    UNREADABLE,
    /** The archive file is larger than the configured maximum. */
    ARCHIVE_TOO_LARGE,
    /** Not a readable ZIP: no central directory, truncated, bad compressed data, bad entry names. */
    CORRUPT_ARCHIVE,
    /** Too many entries, too much uncompressed data, or a compression ratio no real bundle has. */
    ZIP_BOMB,
    /** An entry name with {@code ..}, {@code .}, an empty segment, a leading {@code /}, a drive letter, a backslash,
     * a control character, or a directory entry that carries data. */
    UNSAFE_ENTRY_NAME,
    /** Two entries with the same name (or the same name ignoring case inside {@code META-INF/}). */
    DUPLICATE_ENTRY,

    /** {@code META-INF/MANIFEST.MF} is absent. */
    MANIFEST_MISSING,
    /** The manifest (or a signature file) is larger than the configured maximum. */
    MANIFEST_TOO_LARGE,
    /** The manifest does not parse, or OSGi headers are malformed ({@code Bundle-ManifestVersion} not 2, bad
     * {@code Bundle-Version} or symbolic name syntax). */
    MANIFEST_INVALID,
    /** No {@code Bundle-SymbolicName} header. */
    MISSING_SYMBOLIC_NAME,

    /** No signature at all. */
    UNSIGNED,
    /** Signature files are malformed, unpaired, or the signature block does not verify. */
    SIGNATURE_INVALID,
    /** A digest, signature algorithm or key size outside the allow list (MD5, SHA-1, RSA &lt; 2048 ...). */
    WEAK_ALGORITHM,
    /** The manifest is not the one the signer signed (swapped or edited after signing). */
    MANIFEST_TAMPERED,
    /** An entry is present in the archive but not covered by the signature (added after signing). */
    UNSIGNED_ENTRY,
    /** The signed manifest lists an entry the archive no longer contains (removed after signing). */
    MISSING_ENTRY,
    /** An entry's content does not match its signed digest (modified after signing). */
    DIGEST_MISMATCH,
    /** Entries are not all signed by the same set of signers. */
    INCONSISTENT_SIGNERS,

    /** A certificate in the signer's chain has expired. */
    CERTIFICATE_EXPIRED,
    /** A certificate in the signer's chain is not valid yet. */
    CERTIFICATE_NOT_YET_VALID,
    /** The signer certificate's key usage or extended key usage excludes code signing. */
    CERTIFICATE_USAGE,
    /** The chain does not lead to a certificate in the trust store. */
    UNTRUSTED_SIGNER,
    /** The chain leads to the trust store but fails PKIX validation (bad issuer signature, not a CA, path length). */
    INVALID_CERTIFICATE_CHAIN,

    /** The verifier itself failed on this input (a bug or an input no check anticipated): refused, fail closed. */
    VERIFICATION_ERROR;

    /** Whether this code means the candidate may be installed. */
    public boolean isAccepted() {
        return this == ACCEPTED;
    }
}
