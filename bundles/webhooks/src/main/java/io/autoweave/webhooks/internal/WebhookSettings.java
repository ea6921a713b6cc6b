package io.autoweave.webhooks.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/**
 * A checked {@link WebhookConfiguration}: every field valid, or an {@link IllegalArgumentException} whose message
 * names the field and says what to fix.
 */
record WebhookSettings(
        String name,
        URI url,
        WebhookSigner signer,
        Filter filter,
        boolean startAtOldest,
        int timeoutMillis,
        long backoffBaseMillis,
        long backoffMaxMillis,
        int maxAttempts,
        int breakerFailures,
        long breakerOpenMillis) {

    static WebhookSettings of(WebhookConfiguration c, String factoryName) {
        String name = c.name() == null || c.name().isBlank() ? factoryName : c.name().trim();
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("name: '" + name + "' must be 1-64 letters, digits, '.', '_' or '-' "
                    + "(it names the cursor file and metric labels)");
        }
        return new WebhookSettings(name, url(c.url()), WebhookSigner.of(c.secret()), filter(c.filter()),
                start(c.start()), (int) atLeast("timeout.ms", c.timeout_ms(), 100),
                atLeast("backoff.base.ms", c.backoff_base_ms(), 1),
                atLeast("backoff.max.ms", c.backoff_max_ms(), Math.max(1, c.backoff_base_ms())),
                (int) atLeast("max.attempts", c.max_attempts(), 1),
                (int) atLeast("breaker.failures", c.breaker_failures(), 1),
                atLeast("breaker.open.ms", c.breaker_open_ms(), 1));
    }

    static URI url(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("url: missing; set url=http://host:port/path of the receiver");
        }
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url: '" + text + "' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("url: '" + text + "' must start with http:// or https://");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("url: '" + text + "' has no host");
        }
        if (uri.getUserInfo() != null) {
            throw new IllegalArgumentException("url: '" + text + "' carries credentials; receivers authenticate "
                    + "the sender by the signature, remove user:password@");
        }
        return uri;
    }

    static Filter filter(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return FrameworkUtil.createFilter(text.trim());
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("filter: '" + text + "' is not an LDAP filter (" + e.getMessage()
                    + "); example: (&(action=attach)(vendor_id=046d))");
        }
    }

    private static boolean start(String text) {
        String s = text == null ? "latest" : text.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "latest":
            case "":
                return false;
            case "oldest":
                return true;
            default:
                throw new IllegalArgumentException("start: '" + text + "' must be latest or oldest");
        }
    }

    private static long atLeast(String field, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(field + ": " + value + " must be >= " + min);
        }
        return value;
    }
}
