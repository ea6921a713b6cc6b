package io.autoweave.plugin.installer;

/**
 * Why an install, start, stop or uninstall was refused or failed: the one list of codes the REST API, the Web Console
 * and the shell show ({@link PluginInstallException#error()}). The {@link Kind} says what sort of answer it is, so a
 * surface maps kinds (for example to an HTTP status), never individual codes.
 *
 * <p>The codes of the install gate are listed in the order its checks run; a code's name never changes once released
 * (clients match on it), new codes may be added in a minor version.
 */
public enum InstallError {
    // ---- the request itself
    /** The source or level is missing or malformed (not a path, a URL or {@code obr:NAME}; a bad version range). */
    BAD_SOURCE(Kind.INVALID_REQUEST),
    /** No installed plugin has that symbolic name or bundle id. */
    NOT_INSTALLED(Kind.NOT_FOUND),

    // ---- the state of the runtime or of the plugin
    /** The same symbolic name is installed already (or is the name of a runtime bundle). */
    DUPLICATE(Kind.CONFLICT),
    /** The security monitor locked the system down: nothing is installed or started. */
    LOCKDOWN(Kind.CONFLICT),
    /** This symbolic name is blocked (unblock it first). */
    BLOCKED(Kind.CONFLICT),
    /** The bundle is part of the runtime, not a plugin. */
    NOT_A_PLUGIN(Kind.CONFLICT),
    /** A start or stop of this plugin is still running. */
    BUSY(Kind.CONFLICT),
    /** The plugin's activator threw: it is installed, not started. */
    START_FAILED(Kind.CONFLICT),
    /** The plugin's start did not return in time: it is marked failed and blocked. */
    START_TIMEOUT(Kind.CONFLICT),
    /** The plugin's stop threw. */
    STOP_FAILED(Kind.CONFLICT),

    // ---- the runtime cannot decide
    /** No plugin trust store is installed: every install is refused until one is. */
    NO_TRUST_STORE(Kind.UNAVAILABLE),
    /** The plugin trust store cannot be read (password, format). */
    TRUST_STORE_INVALID(Kind.UNAVAILABLE),

    // ---- fetching and repositories
    /** The archive is larger than the configured maximum (downloaded or given). */
    ARCHIVE_TOO_LARGE(Kind.TOO_LARGE),
    /** The URL could not be downloaded. */
    DOWNLOAD_FAILED(Kind.REFUSED),
    /** {@code obr:} was asked for and no plugin repository is configured. */
    NO_REPOSITORY(Kind.REFUSED),
    /** A repository index cannot be read or parsed (with index, line and column). */
    BAD_INDEX(Kind.REFUSED),
    /** No repository offers a plugin of that name (and version range). */
    UNKNOWN_PLUGIN(Kind.REFUSED),
    /** The plugin's requirements cannot be met from the repositories (naming the missing requirement). */
    UNRESOLVABLE(Kind.REFUSED),
    /** The downloaded jar is not what the index says (hash, name or version). */
    CONTENT_MISMATCH(Kind.REFUSED),

    // ---- the install gate (signature and archive checks), in the order they run
    /** The candidate could not be read or copied (missing, a directory, I/O error). */
    UNREADABLE(Kind.REFUSED),
    /** Not a readable ZIP: no central directory, truncated, bad compressed data, bad entry names. */
    CORRUPT_ARCHIVE(Kind.REFUSED),
    /** Too many entries, too much uncompressed data, or a compression ratio no real bundle has. */
    ZIP_BOMB(Kind.REFUSED),
    /** An entry name with {@code ..}, {@code .}, an empty segment, a leading {@code /}, a drive letter, a backslash,
     * a control character, or a directory entry that carries data. */
    UNSAFE_ENTRY_NAME(Kind.REFUSED),
    /** Two entries with the same name (or the same name ignoring case inside {@code META-INF/}). */
    DUPLICATE_ENTRY(Kind.REFUSED),
    /** {@code META-INF/MANIFEST.MF} is absent. */
    MANIFEST_MISSING(Kind.REFUSED),
    /** The manifest (or a signature file) is larger than the configured maximum. */
    MANIFEST_TOO_LARGE(Kind.REFUSED),
    /** The manifest does not parse, or OSGi headers are malformed ({@code Bundle-ManifestVersion} not 2, bad
     * {@code Bundle-Version} or symbolic name syntax). */
    MANIFEST_INVALID(Kind.REFUSED),
    /** No {@code Bundle-SymbolicName} header. */
    MISSING_SYMBOLIC_NAME(Kind.REFUSED),
    /** No signature at all. */
    UNSIGNED(Kind.REFUSED),
    /** Signature files are malformed, unpaired, or the signature block does not verify. */
    SIGNATURE_INVALID(Kind.REFUSED),
    /** A digest, signature algorithm or key size outside the allow list (MD5, SHA-1, RSA &lt; 2048 ...). */
    WEAK_ALGORITHM(Kind.REFUSED),
    /** The manifest is not the one the signer signed (swapped or edited after signing). */
    MANIFEST_TAMPERED(Kind.REFUSED),
    /** An entry is present in the archive but not covered by the signature (added after signing). */
    UNSIGNED_ENTRY(Kind.REFUSED),
    /** The signed manifest lists an entry the archive no longer contains (removed after signing). */
    MISSING_ENTRY(Kind.REFUSED),
    /** An entry's content does not match its signed digest (modified after signing). */
    DIGEST_MISMATCH(Kind.REFUSED),
    /** Entries are not all signed by the same set of signers. */
    INCONSISTENT_SIGNERS(Kind.REFUSED),
    /** A certificate in the signer's chain has expired. */
    CERTIFICATE_EXPIRED(Kind.REFUSED),
    /** A certificate in the signer's chain is not valid yet. */
    CERTIFICATE_NOT_YET_VALID(Kind.REFUSED),
    /** The signer certificate's key usage or extended key usage excludes code signing. */
    CERTIFICATE_USAGE(Kind.REFUSED),
    /** The chain does not lead to a certificate in the trust store. */
    UNTRUSTED_SIGNER(Kind.REFUSED),
    /** The chain leads to the trust store but fails PKIX validation (bad issuer signature, not a CA, path length). */
    INVALID_CERTIFICATE_CHAIN(Kind.REFUSED),
    /** The verifier itself failed on this input (a bug or an input no check anticipated): refused, fail closed. */
    VERIFICATION_ERROR(Kind.REFUSED),

    // ---- the framework
    /** Isolated mode was asked for, but this runtime cannot run plugin hosts (the plugin-host bundle is missing). */
    ISOLATION_UNAVAILABLE(Kind.UNAVAILABLE),
    /**
     * In-process mode was asked for, but this runtime has no framework security (it runs on a JDK without the
     * SecurityManager): install the plugin isolated.
     */
    IN_PROCESS_UNAVAILABLE(Kind.CONFLICT),
    /** The framework refused the verified bundle (install or resolve), or an uninstall failed. */
    INSTALL_FAILED(Kind.REFUSED);

    /** What sort of answer an error is; surfaces map kinds, not codes. */
    public enum Kind {
        /** The request is malformed: fix the request (HTTP 400). */
        INVALID_REQUEST,
        /** The named plugin does not exist (HTTP 404). */
        NOT_FOUND,
        /** The request is valid but the runtime's or the plugin's state forbids it now (HTTP 409). */
        CONFLICT,
        /** The archive is too large (HTTP 413). */
        TOO_LARGE,
        /** The candidate was examined and refused, or could not be fetched (HTTP 422). */
        REFUSED,
        /** The runtime cannot decide until an operator repairs it (HTTP 503). */
        UNAVAILABLE
    }

    private final Kind kind;

    InstallError(Kind kind) {
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
