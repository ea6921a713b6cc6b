package io.autoweave.plugin.installer.internal.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import io.autoweave.plugin.installer.InstallError;
import io.autoweave.plugin.installer.PluginInstallException;

/**
 * The certificates plugin signatures must chain to. Only <em>trusted certificate entries</em> count (made with
 * {@code keytool -importcert}); private key entries are ignored, so a signing keystore used by mistake does not
 * silently trust its own key. An entry may be a CA (signers are validated with PKIX up to it) or a signer
 * certificate itself (pinned).
 */
public final class TrustStore {
    private final List<X509Certificate> certificates;
    private final Set<TrustAnchor> anchors;

    private TrustStore(Collection<X509Certificate> certificates, String origin) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(origin + " holds no trusted certificate entries: import the CA or "
                    + "signer certificate with 'keytool -importcert -trustcacerts -alias NAME -file CERT -keystore "
                    + "STORE'");
        }
        this.certificates = List.copyOf(new LinkedHashSet<>(certificates));
        Set<TrustAnchor> a = new LinkedHashSet<>();
        for (X509Certificate c : this.certificates) {
            a.add(new TrustAnchor(c, null));
        }
        this.anchors = Collections.unmodifiableSet(a);
    }

    /**
     * Loads a PKCS12 or JKS file; the type is detected from the content. The password checks the file's integrity;
     * {@code null} skips that check (PKCS12 certificate-only stores may then still be unreadable if encrypted).
     */
    public static TrustStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(file.toFile(), password);
        List<X509Certificate> trusted = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
            if (store.isCertificateEntry(alias)) {
                Certificate c = store.getCertificate(alias);
                if (c instanceof X509Certificate) {
                    trusted.add((X509Certificate) c);
                }
            }
        }
        return new TrustStore(trusted, "trust store " + file);
    }

    /**
     * The trust store of one file, parsed again only when the file changed (its modification time, size or file
     * key differ from the last read). A failed read is not remembered: the next call tries again.
     */
    public static final class Cache {
        private record Stamp(Path file, FileTime modified, long size, Object key) {
        }

        private Stamp stamp;
        private TrustStore store;

        /** The store in {@code file}, parsed with {@code password} (null: no integrity check) when it changed. */
        public synchronized TrustStore get(Path file, char[] password) throws IOException, GeneralSecurityException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            Stamp now = new Stamp(file, a.lastModifiedTime(), a.size(), a.fileKey());
            if (store != null && now.equals(stamp)) {
                return store;
            }
            store = null;
            TrustStore loaded = load(file, password == null ? null : password.clone());
            stamp = now;
            store = loaded;
            return loaded;
        }

        /**
         * The trust store every install needs, or the refusal that says how to make one ({@code NO_TRUST_STORE}) or
         * what is wrong with it ({@code TRUST_STORE_INVALID}).
         */
        public TrustStore require(Path trustStore, char[] trustPassword) throws PluginInstallException {
            if (!Files.isRegularFile(trustStore)) {
                throw new PluginInstallException(InstallError.NO_TRUST_STORE, "no plugin trust store at " + trustStore
                        + ", so every install is refused. Create it: keytool -importcert -trustcacerts -noprompt "
                        + "-alias plugins-ca -file CA.pem -storetype PKCS12 -keystore " + trustStore
                        + " -storepass PASSWORD, and put .trust.store.password=PASSWORD in "
                        + "etc/io.autoweave.plugin.installer.cfg");
            }
            try {
                // parsed once, again only when the file changed: a PKCS12 read costs two PBKDF2 derivations
                return get(trustStore, trustPassword.length == 0 ? null : trustPassword);
            } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
                throw new PluginInstallException(InstallError.TRUST_STORE_INVALID, "cannot use the plugin trust store "
                        + trustStore + ": " + e.getMessage() + " (check .trust.store.password in "
                        + "etc/io.autoweave.plugin.installer.cfg)", e);
            }
        }
    }

    /** A trust store held in memory (tests, or certificates delivered by configuration). */
    public static TrustStore of(Collection<X509Certificate> certificates) {
        return new TrustStore(certificates, "the given trust store");
    }

    public List<X509Certificate> certificates() {
        return certificates;
    }

    Set<TrustAnchor> anchors() {
        return anchors;
    }

    boolean contains(X509Certificate certificate) {
        return certificates.contains(certificate);
    }
}
