package io.autoweave.webhooks.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.Test;

public class WebhookSignerTest {

    @Test
    public void reproducesThePublishedStandardWebhooksTestVector() {
        WebhookSigner signer = WebhookSigner.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    public void aChangedBodyIdOrTimestampChangesTheSignature() {
        WebhookSigner signer = WebhookSigner.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String base = signer.sign("a", 1, body);
        assertNotEquals(base, signer.sign("b", 1, body));
        assertNotEquals(base, signer.sign("a", 2, body));
        assertNotEquals(base, signer.sign("a", 1, "{ }".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    public void newSecretsAreUsable() {
        String s = WebhookSigner.newSecret();
        assertTrue(s, s.startsWith("whsec_"));
        WebhookSigner.of(s);
        assertNotEquals(s, WebhookSigner.newSecret());
    }

    @Test
    public void badSecretsSayWhatToFix() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebhookSigner.of("")).getMessage()
                .contains("missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebhookSigner.of("secret123")).getMessage()
                .contains("must start with whsec_"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebhookSigner.of("whsec_!!!")).getMessage()
                .contains("not base64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WebhookSigner.of("whsec_c2hvcnQ="))
                .getMessage().contains("is 5 bytes"));
    }
}
