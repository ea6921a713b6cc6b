package io.autoweave.plugin.installer.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import jdk.security.jarsigner.JarSigner;

/**
 * Test-time signing kit: CA and signer certificates, OSGi bundle JARs, {@link JarSigner} signing, trust stores and
 * tampering. Keys live only in memory for the length of a test run; no private key is ever committed.
 *
 * <p>Self-contained on purpose (JDK only, one file, no project types) so itests and sample plugins can reuse it
 * from the test-jar or copy it. Certificates are built with a few lines of DER rather than keytool processes: it is
 * fast, and it can make the odd certificates tests need (expired, SHA-1 signed, no code-signing usage).
 */
public final class TestSigning {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestSigning() {
    }

    /** A private key and its certificate chain, leaf first. */
    public record Credentials(PrivateKey key, List<X509Certificate> chain) {
        public X509Certificate certificate() {
            return chain.get(0);
        }
    }

    // ---- keys and certificates ---------------------------------------------------------------------------------

    /** EC P-256 (fast to generate). */
    public static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsaKey(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA (EC P-256, SHA256withECDSA) valid from yesterday for ten years. */
    public static Credentials newCa(String commonName) {
        KeyPair k = ecKey();
        Instant now = Instant.now();
        X509Certificate c = new CertificateBuilder(commonName, k.getPublic()).ca()
                .validity(now.minus(1, ChronoUnit.DAYS), now.plus(3650, ChronoUnit.DAYS))
                .signedBy(commonName, k.getPrivate(), "SHA256withECDSA");
        return new Credentials(k.getPrivate(), List.of(c));
    }

    /** A code-signing certificate issued by {@code ca}, valid from yesterday for a year. */
    public static Credentials issue(Credentials ca, String commonName) {
        Instant now = Instant.now();
        return issue(ca, commonName, ecKey(), now.minus(1, ChronoUnit.DAYS), now.plus(365, ChronoUnit.DAYS),
                "SHA256withECDSA");
    }

    /**
     * A code-signing certificate issued by {@code ca}. {@code issuerSignatureAlgorithm} must fit the CA key
     * ({@code SHA256withECDSA}, {@code SHA1withECDSA} for an EC CA).
     */
    public static Credentials issue(Credentials ca, String commonName, KeyPair key, Instant notBefore,
            Instant notAfter, String issuerSignatureAlgorithm) {
        X509Certificate c = new CertificateBuilder(commonName, key.getPublic()).codeSigning()
                .validity(notBefore, notAfter)
                .signedBy(ca.certificate().getSubjectX500Principal().getName(), ca.key(), issuerSignatureAlgorithm);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(c);
        chain.addAll(ca.chain());
        return new Credentials(key.getPrivate(), List.copyOf(chain));
    }

    /** A self-signed code-signing certificate (for pinning, or as an untrusted signer). */
    public static Credentials selfSigned(String commonName) {
        KeyPair k = ecKey();
        Instant now = Instant.now();
        X509Certificate c = new CertificateBuilder(commonName, k.getPublic()).codeSigning()
                .validity(now.minus(1, ChronoUnit.DAYS), now.plus(365, ChronoUnit.DAYS))
                .signedBy("CN=" + commonName, k.getPrivate(), "SHA256withECDSA");
        return new Credentials(k.getPrivate(), List.of(c));
    }

    /** Minimal X.509 v3 writer. Subject and issuer are a single CN (an issuer given as "CN=x" is also accepted). */
    public static final class CertificateBuilder {
        private final String subject;
        private final java.security.PublicKey publicKey;
        private Instant notBefore = Instant.now().minus(1, ChronoUnit.DAYS);
        private Instant notAfter = Instant.now().plus(365, ChronoUnit.DAYS);
        private final List<byte[]> extensions = new ArrayList<>();

        public CertificateBuilder(String commonName, java.security.PublicKey publicKey) {
            this.subject = commonName;
            this.publicKey = publicKey;
        }

        public CertificateBuilder validity(Instant from, Instant to) {
            notBefore = from;
            notAfter = to;
            return this;
        }

        /** basicConstraints cA=true, keyUsage keyCertSign+cRLSign, both critical. */
        public CertificateBuilder ca() {
            extensions.add(extension("2.5.29.19", true, seq(bool(true))));
            extensions.add(extension("2.5.29.15", true, bitString(new byte[] {0x06}, 1)));
            return this;
        }

        /** keyUsage digitalSignature (critical), extendedKeyUsage codeSigning. */
        public CertificateBuilder codeSigning() {
            extensions.add(extension("2.5.29.15", true, bitString(new byte[] {(byte) 0x80}, 7)));
            extensions.add(extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.3"))));
            return this;
        }

        /** Adds any extension; {@code value} is the DER encoding that goes inside the OCTET STRING. */
        public CertificateBuilder addExtension(String oid, boolean critical, byte[] value) {
            extensions.add(extension(oid, critical, value));
            return this;
        }

        public X509Certificate signedBy(String issuer, PrivateKey issuerKey, String algorithm) {
            try {
                byte[] algorithmId = algorithmIdentifier(algorithm);
                byte[] tbs = seq(
                        tlv(0xA0, integer(BigInteger.TWO)),
                        integer(new BigInteger(63, RANDOM).add(BigInteger.ONE)),
                        algorithmId,
                        name(issuer),
                        seq(time(notBefore), time(notAfter)),
                        name(subject),
                        publicKey.getEncoded(),
                        extensions.isEmpty() ? new byte[0] : tlv(0xA3, seq(extensions.toArray(new byte[0][]))));
                Signature s = Signature.getInstance(algorithm);
                s.initSign(issuerKey);
                s.update(tbs);
                byte[] der = seq(tbs, algorithmId, bitString(s.sign(), 0));
                return (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        private static byte[] extension(String oid, boolean critical, byte[] value) {
            return critical ? seq(oid(oid), bool(true), tlv(0x04, value)) : seq(oid(oid), tlv(0x04, value));
        }

        private static byte[] algorithmIdentifier(String algorithm) {
            switch (algorithm) {
                case "SHA256withECDSA": return seq(oid("1.2.840.10045.4.3.2"));
                case "SHA384withECDSA": return seq(oid("1.2.840.10045.4.3.3"));
                case "SHA1withECDSA": return seq(oid("1.2.840.10045.4.1"));
                case "SHA256withRSA": return seq(oid("1.2.840.113549.1.1.11"), new byte[] {5, 0});
                case "SHA1withRSA": return seq(oid("1.2.840.113549.1.1.5"), new byte[] {5, 0});
                default: throw new IllegalArgumentException("add the OID for " + algorithm);
            }
        }

        private static byte[] name(String commonName) {
            String cn = commonName.startsWith("CN=") ? commonName.substring(3) : commonName;
            return seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0C, cn.getBytes(StandardCharsets.UTF_8)))));
        }

        private static byte[] time(Instant t) {
            int year = t.atZone(ZoneOffset.UTC).getYear();
            boolean utc = year >= 1950 && year < 2050;
            String s = DateTimeFormatter.ofPattern(utc ? "yyMMddHHmmss'Z'" : "yyyyMMddHHmmss'Z'")
                    .withZone(ZoneOffset.UTC).format(t);
            return tlv(utc ? 0x17 : 0x18, s.getBytes(StandardCharsets.US_ASCII));
        }
    }

    // DER primitives

    static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int len = value.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int bytes = len < 0x100 ? 1 : len < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(len >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    static byte[] seq(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return tlv(0x30, out.toByteArray());
    }

    static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    static byte[] bool(boolean value) {
        return new byte[] {0x01, 0x01, (byte) (value ? 0xFF : 0x00)};
    }

    static byte[] bitString(byte[] bits, int unusedBits) {
        byte[] v = new byte[bits.length + 1];
        v[0] = (byte) unusedBits;
        System.arraycopy(bits, 0, v, 1, bits.length);
        return tlv(0x03, v);
    }

    static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long first = Long.parseLong(arcs[0]) * 40 + Long.parseLong(arcs[1]);
        base128(out, first);
        for (int i = 2; i < arcs.length; i++) {
            base128(out, Long.parseLong(arcs[i]));
        }
        return tlv(0x06, out.toByteArray());
    }

    private static void base128(ByteArrayOutputStream out, long v) {
        int groups = 1;
        for (long t = v >>> 7; t != 0; t >>>= 7) {
            groups++;
        }
        for (int i = groups - 1; i >= 0; i--) {
            int b = (int) ((v >>> (7 * i)) & 0x7f);
            out.write(i == 0 ? b : b | 0x80);
        }
    }

    // ---- bundles, signing, trust stores -------------------------------------------------------------------------

    /** OSGi main headers for a minimal bundle (Bundle-ManifestVersion 2, given symbolic name, version 1.0.0). */
    public static Map<String, String> bundleHeaders(String symbolicName) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Manifest-Version", "1.0");
        h.put("Bundle-ManifestVersion", "2");
        h.put("Bundle-SymbolicName", symbolicName);
        h.put("Bundle-Version", "1.0.0");
        return h;
    }

    /** Writes an unsigned JAR: manifest from {@code headers} (null values drop a header), then {@code entries}. */
    public static Path writeJar(Path out, Map<String, String> headers, Map<String, byte[]> entries) {
        Manifest mf = new Manifest();
        Attributes main = mf.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.forEach((k, v) -> {
            if (v != null) {
                main.putValue(k, v);
            }
        });
        ByteArrayOutputStream manifest = new ByteArrayOutputStream();
        try {
            mf.write(manifest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, byte[]> all = new LinkedHashMap<>();
        all.put(JarFile.MANIFEST_NAME, manifest.toByteArray());
        all.putAll(entries);
        return writeZip(out, all);
    }

    /** Writes entries verbatim, in order, deflated; a name ending in '/' is a directory. No checks at all. */
    public static Path writeZip(Path out, Map<String, byte[]> entries) {
        try (OutputStream file = Files.newOutputStream(out); ZipOutputStream zip = new ZipOutputStream(file)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Reads all entries of a JAR in order (for tampering). */
    public static Map<String, byte[]> readZip(Path jar) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                entries.put(e.getName(), zip.getInputStream(e).readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /** Copies {@code in} to {@code out} after letting {@code change} edit the ordered name → bytes map. */
    public static Path tamper(Path in, Path out, Consumer<Map<String, byte[]>> change) {
        Map<String, byte[]> entries = readZip(in);
        change.accept(entries);
        return writeZip(out, entries);
    }

    /** Signs with SHA-256 digests and the JDK's default signature algorithm for the key. */
    public static Path sign(Path unsigned, Path signed, Credentials signer) {
        return sign(unsigned, signed, signer, "SHA-256", null);
    }

    /**
     * Signs with {@link JarSigner} (the API behind the jarsigner tool). {@code signatureAlgorithm} null picks the
     * JDK default for the key. The signer name (file names in META-INF) comes from the certificate's CN.
     */
    public static Path sign(Path unsigned, Path signed, Credentials signer, String digestAlgorithm,
            String signatureAlgorithm) {
        try {
            JarSigner.Builder b = new JarSigner.Builder(signer.key(),
                    CertificateFactory.getInstance("X.509").generateCertPath(signer.chain()))
                    .digestAlgorithm(digestAlgorithm)
                    .signerName(signerName(signer.certificate()));
            if (signatureAlgorithm != null) {
                b.signatureAlgorithm(signatureAlgorithm);
            }
            JarSigner jarSigner = b.build();
            Path tmp = signed.resolveSibling(signed.getFileName() + ".tmp");
            try (ZipFile in = new ZipFile(unsigned.toFile()); OutputStream out = Files.newOutputStream(tmp)) {
                jarSigner.sign(in, out);
            }
            return Files.move(tmp, signed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String signerName(X509Certificate c) {
        String cn = c.getSubjectX500Principal().getName().replaceFirst("^CN=", "").replaceFirst(",.*", "");
        String name = cn.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9_-]", "_");
        return name.length() > 8 ? name.substring(0, 8) : name;
    }

    /** Writes a PKCS12 trust store holding {@code certificates} as trusted certificate entries. */
    public static Path trustStore(Path out, char[] password, X509Certificate... certificates) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            for (int i = 0; i < certificates.length; i++) {
                ks.setCertificateEntry("trusted-" + i, certificates[i]);
            }
            try (OutputStream o = Files.newOutputStream(out)) {
                ks.store(o, password);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
