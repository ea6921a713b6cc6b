package io.autoweave.plugin.installer.internal.verify;

/**
 * Bounds that keep a hostile archive from exhausting disk, memory or CPU while it is being checked. Sizes are in
 * bytes. Sizes declared in the ZIP central directory are checked first (cheap), and the bytes actually inflated
 * are counted again while reading, because declared sizes can lie.
 *
 * @param maxArchiveBytes largest candidate file accepted (it is copied before anything else)
 * @param maxEntries largest number of entries, directories included
 * @param maxTotalUncompressedBytes largest sum of inflated entry sizes
 * @param maxCompressionRatio largest inflated/compressed ratio, per entry and for the whole archive
 * @param ratioThresholdBytes entries (and archives) smaller than this inflated are not ratio-checked: a small file of
 *        repeated bytes compresses very well and is harmless
 * @param maxManifestBytes largest manifest, {@code .SF} or signature block file
 */
public record VerifierLimits(long maxArchiveBytes, int maxEntries, long maxTotalUncompressedBytes,
        int maxCompressionRatio, long ratioThresholdBytes, int maxManifestBytes) {

    /** 64 MiB archive, 10 000 entries, 256 MiB inflated, ratio 100 above 1 MiB, 512 KiB manifest. */
    public static VerifierLimits defaults() {
        return new VerifierLimits(64L << 20, 10_000, 256L << 20, 100, 1L << 20, 512 << 10);
    }

    public VerifierLimits {
        if (maxArchiveBytes <= 0 || maxEntries <= 0 || maxTotalUncompressedBytes <= 0 || maxCompressionRatio <= 0
                || ratioThresholdBytes < 0 || maxManifestBytes <= 0) {
            throw new IllegalArgumentException("verifier limits must be positive: " + this);
        }
    }
}
