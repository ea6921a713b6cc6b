package io.autoweave.plugin.installer.internal.verify;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSigner;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXCertPathValidatorResult;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import io.autoweave.plugin.installer.InstallError;

/**
 * The install gate. Decides whether a candidate plugin JAR may be handed to {@code installBundle}, before anything
 * of it reaches the framework. The framework alone does not refuse: an added unsigned entry installs (the bundle
 * just counts as unsigned), and an untrusted signer merely matches no permission row.
 *
 * <p>Checks run cheapest first and stop at the first failure; see README.md for the full list and the reasons.
 * In short: private copy → archive sanity (central directory) → manifest → signature structure and algorithms →
 * manifest integrity and entry coverage → every entry read once through {@link JarFile} with verification on →
 * same signers everywhere → certificates (strength, dates, usage, PKIX to the trust store).
 *
 * <p>Immutable and thread-safe; one instance can verify many candidates concurrently.
 *
 * <p><b>Size.</b> Why one class of over 600 lines: the gate is one pass over one archive whose checks must run in the
 * order the README lists (cheapest first, stop at the first failure); in one file that order can be audited from top
 * to bottom. The algorithm allow list is AlgorithmPolicy.
 */
public final class JarVerifier {
    private static final String MANIFEST_NAME = "META-INF/MANIFEST.MF";
    private static final String CODE_SIGNING_EKU = "1.3.6.1.5.5.7.3.3";
    private static final String ANY_EKU = "2.5.29.37.0";
    /** Signature files are held in memory while checking; this bounds them (with maxManifestBytes each). */
    private static final int MAX_SIGNERS = 8;
    private static final Pattern SYMBOLIC_NAME = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final Pattern VERSION = Pattern.compile("\\d+(\\.\\d+(\\.\\d+(\\.[A-Za-z0-9_-]+)?)?)?");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final TrustStore trust;
    private final VerifierLimits limits;
    private final Path workDir;
    private final Clock clock;

    /**
     * @param workDir where private copies are made; created owner-only if missing. Keep it on a local file system
     *        that plugin code cannot write to.
     * @param clock "now" for certificate validity
     */
    public JarVerifier(TrustStore trust, VerifierLimits limits, Path workDir, Clock clock) throws IOException {
        this.trust = Objects.requireNonNull(trust, "trust");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.workDir = Files.createDirectories(workDir, ownerOnly("rwx------"));
    }

    /** Verifies {@code candidate}; never throws for a bad candidate, only returns a refusal. */
    public Verdict verify(Path candidate) {
        Path copy = null;
        Copy copied = null;
        try {
            if (!Files.isRegularFile(candidate)) {
                throw new Refusal(InstallError.UNREADABLE, candidate + " is not a regular file");
            }
            copy = Files.createTempFile(workDir, "candidate-", ".jar", ownerOnly("rw-------"));
            copied = copyBounded(candidate, copy);
            Verdict verdict = verifyCopy(candidate, copy, copied);
            copy = null; // now owned by the verdict
            return verdict;
        } catch (Refusal r) {
            return Verdict.refused(candidate, r.code, r.getMessage(), copied == null ? null : copied.sha256);
        } catch (IOException e) {
            return Verdict.refused(candidate, InstallError.UNREADABLE, "cannot read " + candidate + ": " + e,
                    copied == null ? null : copied.sha256);
        } catch (RuntimeException e) {
            return Verdict.refused(candidate, InstallError.VERIFICATION_ERROR, "verification failed unexpectedly, "
                    + "so the candidate is refused: " + e, copied == null ? null : copied.sha256);
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException e) {
                    // best effort: the work directory is private and is cleaned by the owner
                }
            }
        }
    }

    private Verdict verifyCopy(Path candidate, Path copy, Copy copied) throws Refusal, IOException {
        Archive archive = inspectArchive(copy, copied.size);
        Manifest manifest = parseManifest(archive.manifest);
        Attributes main = manifest.getMainAttributes();
        String symbolicName = checkBundleHeaders(main);
        Set<String> signedEntries = checkSignatureFiles(archive, manifest);
        checkCoverage(archive, signedEntries);
        List<CodeSigner> signers = readAndVerifyEntries(copy, archive, copied.size);
        for (CodeSigner signer : signers) {
            checkCertificates(signer.getSignerCertPath());
        }
        String version = main.getValue("Bundle-Version");
        return Verdict.accepted(candidate, copy, copied.sha256, symbolicName, version == null ? "0.0.0"
                : version.trim(), signers);
    }

    // ---- 1. private copy -------------------------------------------------------------------------------------

    private record Copy(long size, String sha256) {
    }

    private Copy copyBounded(Path from, Path to) throws Refusal, IOException {
        MessageDigest sha256 = digest("SHA-256");
        byte[] buffer = new byte[64 << 10];
        long total = 0;
        try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                total += n;
                if (total > limits.maxArchiveBytes()) {
                    throw new Refusal(InstallError.ARCHIVE_TOO_LARGE, "the archive is larger than "
                            + limits.maxArchiveBytes() + " bytes");
                }
                sha256.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return new Copy(total, HexFormat.of().formatHex(sha256.digest()));
    }

    // ---- 2. archive sanity from the central directory; signature-related files read, bounded ----------------

    /** What the central-directory pass learned. {@code content} keeps archive order. */
    private static final class Archive {
        byte[] manifest;
        final Map<String, byte[]> signatureFiles = new TreeMap<>(); // BASE → .SF bytes
        final Map<String, String> blockNames = new TreeMap<>(); // BASE → entry name
        final Map<String, byte[]> blocks = new TreeMap<>(); // BASE → block bytes
        final Set<String> allNames = new HashSet<>();
        final List<ZipEntry> content = new ArrayList<>();
    }

    private Archive inspectArchive(Path copy, long archiveSize) throws Refusal {
        Archive archive = new Archive();
        try (ZipFile zip = new ZipFile(copy.toFile())) {
            Set<String> metaInfUpper = new HashSet<>();
            long declaredTotal = 0;
            int count = 0;
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (++count > limits.maxEntries()) {
                    throw new Refusal(InstallError.ZIP_BOMB, "more than " + limits.maxEntries() + " entries");
                }
                String name = e.getName();
                checkName(name);
                String upper = name.toUpperCase(Locale.ROOT);
                if (!archive.allNames.add(name)
                        || upper.startsWith("META-INF/") && !metaInfUpper.add(upper)) {
                    throw new Refusal(InstallError.DUPLICATE_ENTRY, "entry '" + name + "' occurs more than once; "
                            + "tools disagree on which copy counts, so the signature cannot be trusted");
                }
                long size = e.getSize();
                declaredTotal += Math.max(size, 0);
                if (declaredTotal > limits.maxTotalUncompressedBytes()) {
                    throw new Refusal(InstallError.ZIP_BOMB, "entries declare more than "
                            + limits.maxTotalUncompressedBytes() + " bytes uncompressed");
                }
                checkRatio(name, size, e.getCompressedSize());
                if (e.isDirectory()) {
                    if (size > 0) {
                        throw new Refusal(InstallError.UNSAFE_ENTRY_NAME, "directory entry '" + name
                                + "' carries data");
                    }
                } else if (isSigningRelated(upper)) {
                    collectSignatureFile(zip, e, upper, archive);
                } else {
                    archive.content.add(e);
                }
            }
            if (declaredTotal > limits.ratioThresholdBytes()
                    && declaredTotal / Math.max(archiveSize, 1) > limits.maxCompressionRatio()) {
                throw new Refusal(InstallError.ZIP_BOMB, "the archive inflates " + declaredTotal / archiveSize
                        + " times its size (limit " + limits.maxCompressionRatio() + ")");
            }
        } catch (ZipException e) {
            throw new Refusal(InstallError.CORRUPT_ARCHIVE, "not a valid ZIP/JAR archive: " + e.getMessage());
        } catch (IOException e) {
            throw new Refusal(InstallError.CORRUPT_ARCHIVE, "the archive cannot be read: " + e);
        }
        if (archive.manifest == null) {
            throw new Refusal(InstallError.MANIFEST_MISSING, "no " + MANIFEST_NAME + ": not an OSGi bundle");
        }
        return archive;
    }

    private void checkRatio(String name, long inflated, long compressed) throws Refusal {
        if (inflated > limits.ratioThresholdBytes() && inflated / Math.max(compressed, 1) > limits
                .maxCompressionRatio()) {
            throw new Refusal(InstallError.ZIP_BOMB, "entry '" + name + "' inflates " + inflated / Math.max(compressed,
                    1) + " times its compressed size (limit " + limits.maxCompressionRatio() + ")");
        }
    }

    /** Entry names that could escape a directory if anyone ever extracts the bundle, or that tools read apart. */
    private static void checkName(String name) throws Refusal {
        String why = null;
        if (name.isEmpty()) {
            why = "is empty";
        } else if (name.indexOf('\\') >= 0) {
            why = "contains a backslash";
        } else if (name.startsWith("/")) {
            why = "is absolute";
        } else if (name.length() > 1 && name.charAt(1) == ':') {
            why = "starts with a drive letter";
        } else if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            why = "contains a control character";
        } else {
            String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
            for (String segment : path.split("/", -1)) {
                if (segment.equals("..") || segment.equals(".") || segment.isEmpty()) {
                    why = "contains a '" + segment + "' path segment";
                    break;
                }
            }
        }
        if (why != null) {
            throw new Refusal(InstallError.UNSAFE_ENTRY_NAME, "entry name '" + name.replaceAll("\\p{Cntrl}", "?")
                    + "' " + why);
        }
    }

    /** The JDK's rule ({@code SignatureFileVerifier.isSigningRelated}): these files are not themselves signed. */
    private static boolean isSigningRelated(String upper) {
        if (!upper.startsWith("META-INF/") || upper.indexOf('/', 9) >= 0) {
            return false;
        }
        String file = upper.substring(9);
        return file.equals("MANIFEST.MF") || file.startsWith("SIG-") || file.endsWith(".SF")
                || file.endsWith(".RSA") || file.endsWith(".DSA") || file.endsWith(".EC");
    }

    private void collectSignatureFile(ZipFile zip, ZipEntry e, String upper, Archive archive)
            throws Refusal, IOException {
        String file = upper.substring(9);
        if (archive.signatureFiles.size() + archive.blocks.size() >= 2 * MAX_SIGNERS) {
            throw new Refusal(InstallError.SIGNATURE_INVALID, "more than " + MAX_SIGNERS + " signers");
        }
        byte[] bytes = readBounded(zip, e);
        if (file.equals("MANIFEST.MF")) {
            archive.manifest = bytes;
        } else if (file.endsWith(".SF")) {
            archive.signatureFiles.put(file.substring(0, file.length() - 3), bytes);
        } else if (file.startsWith("SIG-")) {
            throw new Refusal(InstallError.SIGNATURE_INVALID, e.getName() + ": SIG-* signature files are not "
                    + "supported; sign with jarsigner");
        } else {
            String base = file.substring(0, file.lastIndexOf('.'));
            if (archive.blocks.put(base, bytes) != null) {
                throw new Refusal(InstallError.SIGNATURE_INVALID, "more than one signature block for signer " + base);
            }
            archive.blockNames.put(base, e.getName());
        }
    }

    private byte[] readBounded(ZipFile zip, ZipEntry e) throws Refusal, IOException {
        int max = limits.maxManifestBytes();
        if (e.getSize() > max) {
            throw tooLarge(e.getName(), e.getSize());
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw tooLarge(e.getName(), bytes.length);
            }
            return bytes;
        }
    }

    private Refusal tooLarge(String name, long size) {
        return new Refusal(InstallError.MANIFEST_TOO_LARGE, name + " has " + size + " bytes or more; the limit is "
                + limits.maxManifestBytes());
    }

    // ---- 3. manifest and OSGi identity -----------------------------------------------------------------------

    private static Manifest parseManifest(byte[] bytes) throws Refusal {
        try {
            return new Manifest(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new Refusal(InstallError.MANIFEST_INVALID, "the manifest does not parse: " + e.getMessage());
        }
    }

    private static String checkBundleHeaders(Attributes main) throws Refusal {
        String bsn = main.getValue("Bundle-SymbolicName");
        if (bsn == null || bsn.isBlank()) {
            throw new Refusal(InstallError.MISSING_SYMBOLIC_NAME, "the manifest has no Bundle-SymbolicName: not an "
                    + "OSGi bundle (build it with bnd or add the header)");
        }
        String name = bsn.split(";", 2)[0].trim();
        if (!SYMBOLIC_NAME.matcher(name).matches()) {
            throw new Refusal(InstallError.MANIFEST_INVALID, "Bundle-SymbolicName '" + name + "' is not a valid "
                    + "symbolic name");
        }
        String manifestVersion = main.getValue("Bundle-ManifestVersion");
        if (manifestVersion == null || !manifestVersion.trim().equals("2")) {
            throw new Refusal(InstallError.MANIFEST_INVALID, "Bundle-ManifestVersion is " + manifestVersion
                    + "; plugins must be OSGi R4+ bundles (Bundle-ManifestVersion: 2)");
        }
        String version = main.getValue("Bundle-Version");
        if (version != null && !VERSION.matcher(version.trim()).matches()) {
            throw new Refusal(InstallError.MANIFEST_INVALID, "Bundle-Version '" + version + "' is not an OSGi version");
        }
        return name;
    }

    // ---- 4. signature files: pairing, algorithms, manifest integrity -----------------------------------------

    /** Returns the names of the entries the manifest carries digests for. */
    private static Set<String> checkSignatureFiles(Archive archive, Manifest manifest) throws Refusal {
        if (archive.signatureFiles.isEmpty() && archive.blocks.isEmpty()) {
            throw new Refusal(InstallError.UNSIGNED, "the bundle is not signed; sign it with jarsigner using a "
                    + "certificate that chains to the trust store");
        }
        if (!archive.signatureFiles.keySet().equals(archive.blocks.keySet())) {
            throw new Refusal(InstallError.SIGNATURE_INVALID, "signature files " + archive.signatureFiles.keySet()
                    + " and signature blocks " + archive.blocks.keySet() + " do not pair up");
        }
        Set<String> signedEntries = new LinkedHashSet<>();
        for (Map.Entry<String, Attributes> section : manifest.getEntries().entrySet()) {
            boolean hasDigest = false;
            for (Object key : section.getValue().keySet()) {
                String algorithm = AlgorithmPolicy.digestAlgorithmOf(key.toString(), "-Digest");
                if (algorithm != null) {
                    AlgorithmPolicy.requireStrongDigest(algorithm, "the manifest entry for '" + section.getKey()
                            + "'");
                    hasDigest = true;
                }
            }
            if (hasDigest) {
                signedEntries.add(section.getKey());
            }
        }
        for (Map.Entry<String, byte[]> sf : archive.signatureFiles.entrySet()) {
            String sfName = "META-INF/" + sf.getKey() + ".SF";
            Manifest parsed;
            try {
                parsed = new Manifest(new ByteArrayInputStream(sf.getValue()));
            } catch (IOException | RuntimeException e) {
                throw new Refusal(InstallError.SIGNATURE_INVALID, sfName + " does not parse: " + e.getMessage());
            }
            checkSignatureFile(sfName, parsed, archive.manifest);
            AlgorithmPolicy.checkSignatureBlock(archive.blockNames.get(sf.getKey()), archive.blocks.get(sf.getKey()));
        }
        return signedEntries;
    }

    /**
     * Strong algorithms only, and the whole-manifest digest must match. Deliberately stricter than the JDK, which
     * falls back to per-section digests: any change to a signed manifest (swap, edit, entries added and signed by
     * someone else) is refused. Re-sign from an unsigned JAR instead.
     */
    private static void checkSignatureFile(String sfName, Manifest sf, byte[] manifestBytes) throws Refusal {
        int manifestDigests = 0;
        for (Map.Entry<Object, Object> a : sf.getMainAttributes().entrySet()) {
            String key = a.getKey().toString();
            String whole = AlgorithmPolicy.digestAlgorithmOf(key, "-Digest-Manifest");
            String main = AlgorithmPolicy.digestAlgorithmOf(key, "-Digest-Manifest-Main-Attributes");
            if (main != null) {
                AlgorithmPolicy.requireStrongDigest(main, sfName);
            } else if (whole != null) {
                AlgorithmPolicy.requireStrongDigest(whole, sfName);
                manifestDigests++;
                byte[] expected;
                try {
                    expected = Base64.getMimeDecoder().decode(a.getValue().toString());
                } catch (IllegalArgumentException e) {
                    throw new Refusal(InstallError.SIGNATURE_INVALID, sfName + ": " + key + " is not Base64");
                }
                if (!MessageDigest.isEqual(expected, digest(whole).digest(manifestBytes))) {
                    throw new Refusal(InstallError.MANIFEST_TAMPERED, "the manifest is not the one signed in " + sfName
                            + " (" + key + " differs): it was replaced or edited after signing");
                }
            }
        }
        if (manifestDigests == 0) {
            throw new Refusal(InstallError.SIGNATURE_INVALID, sfName + " has no whole-manifest digest "
                    + "(signed with -sectionsonly?); sign without that option");
        }
        for (Map.Entry<String, Attributes> section : sf.getEntries().entrySet()) {
            for (Object key : section.getValue().keySet()) {
                String algorithm = AlgorithmPolicy.digestAlgorithmOf(key.toString(), "-Digest");
                if (algorithm != null) {
                    AlgorithmPolicy.requireStrongDigest(algorithm, sfName + " for '" + section.getKey() + "'");
                }
            }
        }
    }

    /** The JDK ignores both cases below (an unlisted entry is just unsigned; a listed missing one is skipped). */
    private static void checkCoverage(Archive archive, Set<String> signedEntries) throws Refusal {
        for (ZipEntry e : archive.content) {
            if (!signedEntries.contains(e.getName())) {
                throw new Refusal(InstallError.UNSIGNED_ENTRY, "entry '" + e.getName() + "' is not covered by the "
                        + "signature (added after signing?)");
            }
        }
        for (String name : signedEntries) {
            if (!archive.allNames.contains(name)) {
                throw new Refusal(InstallError.MISSING_ENTRY, "the signed manifest lists '" + name + "' but the "
                        + "archive does not contain it (removed after signing?)");
            }
        }
    }

    // ---- 5. every entry read once, with the JDK verifying digests and signature blocks ----------------------

    private List<CodeSigner> readAndVerifyEntries(Path copy, Archive archive, long archiveSize)
            throws Refusal {
        if (archive.content.isEmpty()) {
            throw new Refusal(InstallError.UNSIGNED, "the bundle has no entries besides its manifest, so nothing "
                    + "identifies a signer");
        }
        Set<CodeSigner> reference = null;
        String referenceEntry = null;
        byte[] buffer = new byte[64 << 10];
        long total = 0;
        try (JarFile jar = new JarFile(copy.toFile(), true)) {
            for (ZipEntry listed : archive.content) {
                String name = listed.getName();
                JarEntry entry = jar.getJarEntry(name);
                InputStream in;
                try {
                    in = jar.getInputStream(entry);
                } catch (SecurityException e) {
                    throw new Refusal(InstallError.SIGNATURE_INVALID, "the signature does not verify: "
                            + e.getMessage());
                }
                long size = 0;
                try (in) {
                    int n;
                    while ((n = in.read(buffer)) != -1) {
                        size += n;
                        total += n;
                        if (total > limits.maxTotalUncompressedBytes()) {
                            throw new Refusal(InstallError.ZIP_BOMB, "entries inflate to more than "
                                    + limits.maxTotalUncompressedBytes() + " bytes");
                        }
                        checkRatio(name, size, listed.getCompressedSize());
                    }
                } catch (SecurityException e) {
                    throw new Refusal(InstallError.DIGEST_MISMATCH, "entry '" + name + "' does not match its "
                            + "signed digest: it was modified after signing (" + e.getMessage() + ")");
                }
                Set<CodeSigner> signers = signersOf(entry);
                if (reference == null) {
                    if (signers.isEmpty()) {
                        throw new Refusal(InstallError.SIGNATURE_INVALID, "no valid signature covers '" + name
                                + "': a signature block does not verify against its .SF file");
                    }
                    reference = signers;
                    referenceEntry = name;
                } else if (signers.isEmpty()) {
                    throw new Refusal(InstallError.UNSIGNED_ENTRY, "entry '" + name + "' carries no valid signature");
                } else if (!signers.equals(reference)) {
                    throw new Refusal(InstallError.INCONSISTENT_SIGNERS, "entry '" + name + "' is signed by "
                            + subjects(signers) + " but '" + referenceEntry + "' by " + subjects(reference));
                }
            }
        } catch (ZipException e) {
            throw new Refusal(InstallError.CORRUPT_ARCHIVE, "corrupt compressed data: " + e.getMessage());
        } catch (IOException e) {
            throw new Refusal(InstallError.CORRUPT_ARCHIVE, "the archive cannot be read: " + e);
        }
        if (total > limits.ratioThresholdBytes() && total / Math.max(archiveSize, 1) > limits.maxCompressionRatio()) {
            throw new Refusal(InstallError.ZIP_BOMB, "the archive inflates " + total / archiveSize + " times its size");
        }
        if (reference.size() != archive.signatureFiles.size()) {
            throw new Refusal(InstallError.SIGNATURE_INVALID, archive.signatureFiles.size() + " signature files but "
                    + reference.size() + " verified signers: a signature block does not verify");
        }
        return List.copyOf(reference);
    }

    private static Set<CodeSigner> signersOf(JarEntry entry) {
        CodeSigner[] signers = entry.getCodeSigners();
        return signers == null ? Set.of() : new HashSet<>(Arrays.asList(signers));
    }

    private static String subjects(Set<CodeSigner> signers) {
        List<String> names = new ArrayList<>();
        for (CodeSigner s : signers) {
            names.add(((X509Certificate) s.getSignerCertPath().getCertificates().get(0)).getSubjectX500Principal()
                    .getName());
        }
        names.sort(null);
        return names.toString();
    }

    // ---- 6. certificates ------------------------------------------------------------------------------------

    /**
     * Strength, dates ("now", not the signing time: a timestamp does not extend trust here), code-signing usage,
     * then PKIX up to the trust store. Revocation checking is off: plugins are installed offline and the trust store
     * is small and curated; revoke by removing the certificate from the trust store.
     */
    private void checkCertificates(CertPath path) throws Refusal {
        @SuppressWarnings("unchecked")
        List<X509Certificate> chain = (List<X509Certificate>) path.getCertificates();
        X509Certificate leaf = chain.get(0);
        String leafName = "signer certificate " + leaf.getSubjectX500Principal().getName();
        AlgorithmPolicy.requireStrongKey(leaf.getPublicKey(), leafName);

        int anchored = -1; // index of the first certificate that is itself in the trust store
        for (int i = 0; i < chain.size() && anchored < 0; i++) {
            if (trust.contains(chain.get(i))) {
                anchored = i;
            }
        }
        List<X509Certificate> toValidate = anchored < 0 ? chain : chain.subList(0, anchored);
        Date now = Date.from(clock.instant());
        for (X509Certificate c : anchored < 0 ? chain : chain.subList(0, anchored + 1)) {
            checkDates(c, now);
        }
        for (X509Certificate c : toValidate) {
            AlgorithmPolicy.requireStrongCertificateSignature(c);
        }
        checkUsage(leaf, leafName);
        if (toValidate.isEmpty()) {
            return; // the signer certificate itself is pinned in the trust store
        }
        try {
            CertPath partial = CertificateFactory.getInstance("X.509").generateCertPath(toValidate);
            PKIXParameters params = new PKIXParameters(trust.anchors());
            params.setRevocationEnabled(false);
            params.setDate(now);
            PKIXCertPathValidatorResult result = (PKIXCertPathValidatorResult) CertPathValidator.getInstance("PKIX")
                    .validate(partial, params);
            checkDates(result.getTrustAnchor().getTrustedCert(), now);
        } catch (CertPathValidatorException e) {
            if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
                throw new Refusal(InstallError.UNTRUSTED_SIGNER, leafName + " issued by "
                        + chain.get(chain.size() - 1).getIssuerX500Principal().getName()
                        + " does not chain to any certificate in the trust store");
            }
            throw new Refusal(InstallError.INVALID_CERTIFICATE_CHAIN, "the certificate chain of " + leafName
                    + " is invalid: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new Refusal(InstallError.INVALID_CERTIFICATE_CHAIN, "the certificate chain of " + leafName
                    + " cannot be validated: " + e, e);
        }
    }

    private static void checkDates(X509Certificate c, Date now) throws Refusal {
        try {
            c.checkValidity(now);
        } catch (CertificateExpiredException e) {
            throw new Refusal(InstallError.CERTIFICATE_EXPIRED, "certificate " + c.getSubjectX500Principal().getName()
                    + " expired on " + c.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new Refusal(InstallError.CERTIFICATE_NOT_YET_VALID, "certificate "
                    + c.getSubjectX500Principal().getName() + " is not valid before " + c.getNotBefore().toInstant());
        }
    }

    private static void checkUsage(X509Certificate leaf, String leafName) throws Refusal {
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage != null && (keyUsage.length == 0 || !keyUsage[0])) {
            throw new Refusal(InstallError.CERTIFICATE_USAGE, leafName + " does not allow digitalSignature");
        }
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku != null && !eku.contains(CODE_SIGNING_EKU) && !eku.contains(ANY_EKU)) {
                throw new Refusal(InstallError.CERTIFICATE_USAGE, leafName + " is not a code-signing certificate "
                        + "(extended key usage " + eku + ")");
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new Refusal(InstallError.CERTIFICATE_USAGE, leafName + " has an unreadable extended key usage");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static MessageDigest digest(String algorithm) throws Refusal {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new Refusal(InstallError.WEAK_ALGORITHM, "digest " + algorithm + " is not available");
        }
    }

    private static FileAttribute<?>[] ownerOnly(String permissions) {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions
                .fromString(permissions))} : new FileAttribute<?>[0];
    }
}
