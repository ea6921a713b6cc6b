package io.autoweave.webhooks.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

public class WebhookSettingsTest {

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    public void badUrlsSayWhatToFix() {
        assertTrue(error(() -> WebhookSettings.url("")).contains("missing"));
        assertTrue(error(() -> WebhookSettings.url("ftp://x/y")).contains("must start with http:// or https://"));
        assertTrue(error(() -> WebhookSettings.url("http:///path")).contains("has no host"));
        assertTrue(error(() -> WebhookSettings.url("http://u:p@host/")).contains("carries credentials"));
        assertTrue(error(() -> WebhookSettings.url("http://host/a b")).contains("is not a URL"));
        assertEquals("https://h:8443/p", WebhookSettings.url(" https://h:8443/p ").toString());
    }

    @Test
    public void aBadFilterSaysSoWithAnExample() {
        assertTrue(error(() -> WebhookSettings.filter("(action=attach")).contains("is not an LDAP filter"));
        assertEquals(null, WebhookSettings.filter(" "));
    }

    @Test
    public void theNameComesFromTheFactoryConfiguration() {
        assertEquals("orders", WebhookSubscription.factoryName(
                Map.of("service.pid", "io.autoweave.webhooks.subscription~orders")));
        assertEquals("lab", WebhookSubscription.factoryName(Map.of("service.pid", "x.y.1234",
                "felix.fileinstall.filename", "file:/data/etc/io.autoweave.webhooks.subscription-lab.config")));
    }
}
