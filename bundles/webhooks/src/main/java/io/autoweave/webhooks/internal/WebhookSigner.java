package io.autoweave.webhooks.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs payloads the Standard Webhooks way (https://www.standardwebhooks.com): the secret is {@code whsec_} +
 * base64 of the key; the signed content is {@code webhook-id + "." + webhook-timestamp + "." + body}; the
 * {@code webhook-signature} header is {@code v1,} + base64 of its HMAC-SHA256. So a receiver's existing Standard
 * Webhooks (or Svix) library verifies what we send.
 */
final class WebhookSigner {
    static final String PREFIX = "whsec_";
    private static final int MIN_KEY = 24;
    private static final int MAX_KEY = 64;

    private final SecretKeySpec key;

    private WebhookSigner(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    static WebhookSigner of(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("secret: missing; set secret=whsec_<base64> (aw:webhook-secret makes one)");
        }
        String s = secret.trim();
        if (!s.startsWith(PREFIX)) {
            throw new IllegalArgumentException("secret: must start with " + PREFIX
                    + " followed by base64 of the key (aw:webhook-secret makes one)");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(s.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("secret: the part after " + PREFIX + " is not base64: " + e.getMessage());
        }
        if (key.length < MIN_KEY || key.length > MAX_KEY) {
            throw new IllegalArgumentException("secret: the key is " + key.length + " bytes; use " + MIN_KEY + " to "
                    + MAX_KEY + " random bytes (aw:webhook-secret makes one)");
        }
        return new WebhookSigner(key);
    }

    /** A new random secret in the {@code whsec_} form, 32 bytes. */
    static String newSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The {@code webhook-signature} header value for one attempt. */
    String sign(String id, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
