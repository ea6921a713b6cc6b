package io.autoweave.plugin.installer.internal.verify;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * What the installer hands to {@code installBundle}: the verified copy as it is, or, when no permission row asks
 * for a signer, the same entries without the signature block files.
 *
 * <p>Why: with framework security on, Felix verifies every signed bundle a second time at install
 * ({@code BundleDNParser}: inflate, digest every entry, verify the signature, build the chains), a quarter of the
 * install time, only to answer {@code BundleSignerCondition}s. The install gate has verified exactly these bytes
 * already and the ledger keeps the signer and the SHA-256 of the signed jar, so that second check buys nothing while
 * no row uses a signer condition. Entries are stored uncompressed (CRC computed here), so nothing is deflated again.
 */
public final class FrameworkCopy {

    private FrameworkCopy() {
    }

    /** Whether {@code name} is a signature file of a signed jar (META-INF/*.SF, *.RSA, *.DSA, *.EC, SIG-*). */
    static boolean isSignatureFile(String name) {
        if (!name.regionMatches(true, 0, "META-INF/", 0, 9) || name.indexOf('/', 9) >= 0) {
            return false;
        }
        String upper = name.substring(9).toUpperCase(Locale.ROOT);
        return upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA") || upper.endsWith(".EC")
                || upper.startsWith("SIG-");
    }

    /** The bytes of {@code jar} without its signature files, every entry stored. */
    public static byte[] unsigned(Path jar) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8,
                Files.size(jar) * 2 + 1024));
        byte[] buffer = new byte[16 * 1024];
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
                ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (isSignatureFile(e.getName())) {
                    continue;
                }
                byte[] data = readAll(in, buffer);
                ZipEntry copy = new ZipEntry(e.getName());
                copy.setMethod(ZipEntry.STORED);
                copy.setSize(data.length);
                copy.setCompressedSize(data.length);
                CRC32 crc = new CRC32();
                crc.update(data);
                copy.setCrc(crc.getValue());
                if (e.getLastModifiedTime() != null) {
                    copy.setLastModifiedTime(e.getLastModifiedTime());
                }
                out.putNextEntry(copy);
                out.write(data);
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] readAll(InputStream in, byte[] buffer) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int n; (n = in.read(buffer)) > 0;) {
            b.write(buffer, 0, n);
        }
        return b.toByteArray();
    }
}
