package io.autoweave.plugin.installer.internal.verify;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.DSAKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import io.autoweave.plugin.installer.InstallError;

/**
 * Allow lists for the algorithms a plugin signature may use. Allow lists rather than deny lists: an algorithm we
 * have not thought about is refused, not waved through. The JDK's own {@code jdk.jar.disabledAlgorithms} would
 * silently treat a SHA-1 signed JAR as unsigned; checking here first gives a refusal that names the algorithm.
 */
final class AlgorithmPolicy {
    /** Names as they appear in manifest and {@code .SF} attribute names ({@code SHA-256-Digest}). */
    static final Set<String> STRONG_DIGESTS = Set.of("SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-384",
            "SHA3-512");

    private static final int MIN_RSA_DSA_BITS = 2048;
    private static final int MIN_EC_BITS = 256;

    private static final Map<String, String> DIGEST_OIDS = Map.of(
            "2.16.840.1.101.3.4.2.1", "SHA-256",
            "2.16.840.1.101.3.4.2.2", "SHA-384",
            "2.16.840.1.101.3.4.2.3", "SHA-512",
            "2.16.840.1.101.3.4.2.8", "SHA3-256",
            "2.16.840.1.101.3.4.2.9", "SHA3-384",
            "2.16.840.1.101.3.4.2.10", "SHA3-512",
            "2.16.840.1.101.3.4.2.12", "SHAKE256", // Ed448 signatures
            "2.16.840.1.101.3.4.2.18", "SHAKE256-LEN");

    /** PKCS#7 may name only the key algorithm; the hash is then the SignerInfo digest algorithm, checked above. */
    private static final Map<String, String> KEY_ONLY_OIDS = Map.of(
            "1.2.840.113549.1.1.1", "RSA",
            "1.2.840.10045.2.1", "EC",
            "1.2.840.10040.4.1", "DSA");

    private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";

    private static final Map<String, String> STRONG_SIGNATURE_OIDS = Map.ofEntries(
            Map.entry("1.2.840.113549.1.1.11", "SHA256withRSA"),
            Map.entry("1.2.840.113549.1.1.12", "SHA384withRSA"),
            Map.entry("1.2.840.113549.1.1.13", "SHA512withRSA"),
            Map.entry("1.2.840.10045.4.3.2", "SHA256withECDSA"),
            Map.entry("1.2.840.10045.4.3.3", "SHA384withECDSA"),
            Map.entry("1.2.840.10045.4.3.4", "SHA512withECDSA"),
            Map.entry("2.16.840.1.101.3.4.3.2", "SHA256withDSA"),
            Map.entry("1.3.101.112", "Ed25519"),
            Map.entry("1.3.101.113", "Ed448"));

    private AlgorithmPolicy() {
    }

    /** {@code SHA-256-Digest-Manifest} → {@code SHA-256}; {@code null} when the name is not a digest attribute. */
    static String digestAlgorithmOf(String attributeName, String suffix) {
        String upper = attributeName.toUpperCase(Locale.ROOT);
        String s = suffix.toUpperCase(Locale.ROOT);
        return upper.endsWith(s) && upper.length() > s.length() ? upper.substring(0, upper.length() - s.length())
                : null;
    }

    static void requireStrongDigest(String algorithm, String where) throws Refusal {
        if (!STRONG_DIGESTS.contains(algorithm.toUpperCase(Locale.ROOT))) {
            throw new Refusal(InstallError.WEAK_ALGORITHM, where + " uses digest " + algorithm
                    + ", which is not allowed (allowed: " + String.join(", ", sorted(STRONG_DIGESTS))
                    + "); re-sign with jarsigner -digestalg SHA-256");
        }
    }

    /**
     * Reads the SignerInfos of a PKCS#7 signature block ({@code .RSA}, {@code .EC}, {@code .DSA}) and checks the
     * digest and signature algorithm of each. Returns e.g. {@code "SHA-256 + SHA256withECDSA"}.
     */
    static String checkSignatureBlock(String file, byte[] block) throws Refusal {
        List<String> found = new ArrayList<>();
        try {
            Der contentInfo = Der.parse(block, 0, block.length);
            if (contentInfo.end() != block.length) {
                throw new IllegalArgumentException("trailing bytes");
            }
            List<Der> ci = contentInfo.expect(0x30).children();
            if (!"1.2.840.113549.1.7.2".equals(ci.get(0).oid())) {
                throw new IllegalArgumentException("not PKCS#7 signedData");
            }
            List<Der> signedData = ci.get(1).expect(0xA0).children().get(0).expect(0x30).children();
            Der signerInfos = signedData.get(signedData.size() - 1).expect(0x31);
            for (Der signerInfo : signerInfos.children()) {
                List<Der> si = signerInfo.expect(0x30).children();
                String digestOid = si.get(2).expect(0x30).children().get(0).oid();
                int i = 3;
                if (si.get(i).tag == 0xA0) {
                    i++; // signed attributes
                }
                List<Der> sigAlg = si.get(i).expect(0x30).children();
                String digest = DIGEST_OIDS.get(digestOid);
                if (digest == null) {
                    throw new Refusal(InstallError.WEAK_ALGORITHM, file + " digests with " + describe(digestOid)
                            + ", which is not allowed; re-sign with jarsigner -digestalg SHA-256");
                }
                found.add(digest + " + " + signatureName(file, sigAlg));
            }
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new Refusal(InstallError.SIGNATURE_INVALID, file + " is not a DER-encoded PKCS#7 signature block ("
                    + e.getMessage() + ")");
        }
        if (found.isEmpty()) {
            throw new Refusal(InstallError.SIGNATURE_INVALID, file + " contains no signer");
        }
        return String.join(", ", found);
    }

    private static String signatureName(String file, List<Der> algorithmIdentifier) throws Refusal {
        String oid = algorithmIdentifier.get(0).oid();
        String name = KEY_ONLY_OIDS.getOrDefault(oid, STRONG_SIGNATURE_OIDS.get(oid));
        if (name != null) {
            return name;
        }
        if (RSASSA_PSS.equals(oid)) {
            return "RSASSA-PSS/" + pssHash(file, algorithmIdentifier.size() > 1 ? algorithmIdentifier.get(1) : null);
        }
        throw new Refusal(InstallError.WEAK_ALGORITHM, file + " is signed with " + describe(oid)
                + ", which is not allowed; re-sign with jarsigner -sigalg SHA256withRSA or SHA256withECDSA");
    }

    /** RSASSA-PSS parameters: the hash defaults to SHA-1 when absent, so absence is a refusal. */
    private static String pssHash(String file, Der params) throws Refusal {
        if (params != null && params.tag == 0x30) {
            for (Der p : params.children()) {
                if (p.tag == 0xA0) {
                    String oid = p.children().get(0).expect(0x30).children().get(0).oid();
                    String digest = DIGEST_OIDS.get(oid);
                    if (digest != null) {
                        return digest;
                    }
                    throw new Refusal(InstallError.WEAK_ALGORITHM, file + " uses RSASSA-PSS with " + describe(oid));
                }
            }
        }
        throw new Refusal(InstallError.WEAK_ALGORITHM, file + " uses RSASSA-PSS with the default hash SHA-1");
    }

    /** The issuer's signature on a certificate that is not itself a trust anchor. */
    static void requireStrongCertificateSignature(X509Certificate c) throws Refusal {
        String oid = c.getSigAlgOID();
        if (STRONG_SIGNATURE_OIDS.containsKey(oid)) {
            return;
        }
        if (RSASSA_PSS.equals(oid) && c.getSigAlgParams() != null) {
            byte[] p = c.getSigAlgParams();
            try {
                pssHash("certificate " + c.getSubjectX500Principal().getName(), Der.parse(p, 0, p.length));
                return;
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                // fall through to the refusal
            }
        }
        throw new Refusal(InstallError.WEAK_ALGORITHM, "certificate " + c.getSubjectX500Principal().getName()
                + " is signed with " + c.getSigAlgName() + ", which is not allowed (use SHA-256 or stronger)");
    }

    static void requireStrongKey(PublicKey key, String who) throws Refusal {
        int bits;
        int min;
        if (key instanceof RSAKey) {
            bits = ((RSAKey) key).getModulus().bitLength();
            min = MIN_RSA_DSA_BITS;
        } else if (key instanceof ECKey) {
            bits = ((ECKey) key).getParams().getOrder().bitLength();
            min = MIN_EC_BITS;
        } else if (key instanceof DSAKey && ((DSAKey) key).getParams() != null) {
            bits = ((DSAKey) key).getParams().getP().bitLength();
            min = MIN_RSA_DSA_BITS;
        } else if (key instanceof EdECKey) {
            return;
        } else {
            throw new Refusal(InstallError.WEAK_ALGORITHM, who + " has an unsupported " + key.getAlgorithm() + " key");
        }
        if (bits < min) {
            throw new Refusal(InstallError.WEAK_ALGORITHM, who + " has a " + bits + "-bit " + key.getAlgorithm()
                    + " key; at least " + min + " bits are required");
        }
    }

    private static String describe(String oid) {
        switch (oid) {
            case "1.2.840.113549.2.5": return "MD5";
            case "1.3.14.3.2.26": return "SHA-1";
            case "2.16.840.1.101.3.4.2.4": return "SHA-224";
            case "1.2.840.113549.1.1.4": return "MD5withRSA";
            case "1.2.840.113549.1.1.5": return "SHA1withRSA";
            case "1.2.840.10045.4.1": return "SHA1withECDSA";
            case "1.2.840.10040.4.3": return "SHA1withDSA";
            default: return "algorithm " + oid;
        }
    }

    private static List<String> sorted(Set<String> names) {
        List<String> l = new ArrayList<>(names);
        l.sort(null);
        return l;
    }

    /** Just enough DER (definite lengths, low tag numbers) to walk a PKCS#7 SignedData. */
    static final class Der {
        final int tag;
        private final byte[] bytes;
        private final int offset;
        private final int length;

        private Der(int tag, byte[] bytes, int offset, int length) {
            this.tag = tag;
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
        }

        static Der parse(byte[] b, int pos, int limit) {
            if (pos + 2 > limit) {
                throw new IllegalArgumentException("truncated");
            }
            int tag = b[pos++] & 0xff;
            if ((tag & 0x1f) == 0x1f) {
                throw new IllegalArgumentException("high tag number");
            }
            int len = b[pos++] & 0xff;
            if (len == 0x80) {
                throw new IllegalArgumentException("indefinite length (BER, not DER)");
            }
            if (len > 0x80) {
                int n = len & 0x7f;
                if (n > 3 || pos + n > limit) {
                    throw new IllegalArgumentException("bad length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[pos++] & 0xff);
                }
            }
            if (len > limit - pos) {
                throw new IllegalArgumentException("length beyond end");
            }
            return new Der(tag, b, pos, len);
        }

        int end() {
            return offset + length;
        }

        Der expect(int expectedTag) {
            if (tag != expectedTag) {
                throw new IllegalArgumentException("expected tag 0x" + Integer.toHexString(expectedTag) + ", found 0x"
                        + Integer.toHexString(tag));
            }
            return this;
        }

        List<Der> children() {
            List<Der> result = new ArrayList<>();
            int pos = offset;
            while (pos < end()) {
                Der child = parse(bytes, pos, end());
                result.add(child);
                pos = child.end();
            }
            return result;
        }

        String oid() {
            expect(0x06);
            if (length == 0) {
                throw new IllegalArgumentException("empty OID");
            }
            StringBuilder sb = new StringBuilder();
            long value = 0;
            boolean first = true;
            for (int i = offset; i < end(); i++) {
                int b = bytes[i] & 0xff;
                value = (value << 7) | (b & 0x7f);
                if (value > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("OID arc too large");
                }
                if ((b & 0x80) == 0) {
                    if (first) {
                        int top = value < 40 ? 0 : value < 80 ? 1 : 2;
                        sb.append(top).append('.').append(value - 40L * top);
                        first = false;
                    } else {
                        sb.append('.').append(value);
                    }
                    value = 0;
                }
            }
            return sb.toString();
        }
    }
}
