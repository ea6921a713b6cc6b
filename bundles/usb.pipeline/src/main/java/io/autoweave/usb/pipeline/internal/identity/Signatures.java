package io.autoweave.usb.pipeline.internal.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import io.autoweave.api.device.UsbDevice;

/** Computes the stable device signature: lower-case hex SHA-256 over {@link DeviceIdentity#canonicalBytes()}. */
public final class Signatures {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Signatures() {
    }

    public static String of(UsbDevice device) {
        return of(DeviceIdentity.of(device));
    }

    public static String of(DeviceIdentity identity) {
        return hex(sha256(identity.canonicalBytes()));
    }

    /** The device carrying its computed signature; any signature a source supplied is replaced, never trusted. */
    public static UsbDevice sign(UsbDevice device) {
        return device.withSignature(of(device));
    }

    /** Whether {@code text} looks like a signature: 64 lower- or upper-case hex digits. */
    public static boolean isSignature(String text) {
        if (text == null || text.length() != 64) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
