package io.autoweave.http.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.context.ServletContextHelper;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

import io.autoweave.auth.Authenticator;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.commons.json.Json;

/**
 * The servlet context of every authenticated HTTP surface ({@code /api/v1}, {@code /metrics}): bearer token or the
 * administrator's Basic credentials; reads need viewer, writes operator, {@code /admin/} paths admin. Failures
 * answer 401/403 with a JSON body; wrong credentials past the shared failure limit (per address and per user, see
 * {@link Authenticator#failed}) answer 429 with Retry-After, right ones always pass; oversized bodies 413 (plugin
 * uploads have their own, larger limit). See {@link #required} for which role each request needs. The configuration
 * is kept last-good ({@link LastGoodConfig}): a bad value is refused and the API keeps answering.
 */
@Component(service = ServletContextHelper.class, configurationPid = ApiSecurityContext.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, property = {
                HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_NAME + "=" + ApiSecurityContext.NAME,
                HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_PATH + "=/" })
@Designate(ocd = ApiConfig.class)
public final class ApiSecurityContext extends ServletContextHelper {
    static final String PID = "io.autoweave.http";
    static final String NAME = "autoweave.api";
    /** Service property a servlet sets to live in this context. */
    static final String SELECT = "(" + HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_NAME + "=" + NAME + ")";

    private final Authenticator authenticator;
    private final ApiTokens tokens;
    private final LastGoodConfig<ApiConfig, Settings> config;
    private volatile Settings settings;

    /**
     * The checked configuration in force. {@code tokens} are the ones an operator wrote as {@code tokens} into
     * io.autoweave.http.cfg (the old home): still honoured.
     */
    record Settings(TokenStore tokens, long maxRequestBytes, long maxPluginBytes) {
        static Settings of(ApiConfig c) {
            TokenStore tokens;
            try {
                tokens = TokenStore.parse(c.tokens());
            } catch (IllegalArgumentException e) {
                throw new ConfigRefusal("tokens", "(hidden)", e.getMessage());
            }
            return new Settings(tokens, ConfigRefusal.atLeast("max.request.bytes", c.max_request_bytes(), 0),
                    ConfigRefusal.atLeast("max.plugin.bytes", c.max_plugin_bytes(), 1));
        }
    }

    @Activate
    public ApiSecurityContext(BundleContext ctx, @Reference Authenticator authenticator, @Reference ApiTokens tokens,
            ApiConfig config, Map<String, Object> properties) {
        this.authenticator = authenticator;
        this.tokens = tokens;
        this.config = new LastGoodConfig<>(PID, ApiConfig.class, Settings::of);
        this.settings = this.config.start(ctx, config, properties);
        warnConfiguredTokens(settings);
    }

    /** Applied in place: the context (and so every servlet in it) stays registered; a refused change keeps the old. */
    @Modified
    void modified(ApiConfig config, Map<String, Object> properties) {
        this.config.modified(config, properties).ifPresent(s -> {
            settings = s;
            warnConfiguredTokens(s);
        });
    }

    private static void warnConfiguredTokens(Settings s) {
        if (s.tokens().size() > 0) {
            org.slf4j.LoggerFactory.getLogger(ApiSecurityContext.class).warn("{} API token(s) in the configuration {} "
                    + "(tokens=): they work, but cannot be listed or revoked through aw:token-revoke or /api/v1/tokens;"
                    + " make new ones with aw:token and remove these lines", s.tokens().size(), PID);
        }
    }

    @Deactivate
    void deactivate() {
        config.close();
    }

    @Override
    public boolean handleSecurity(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null) {
            // Every refusal below is committed before the body is read; Jetty then closes the connection after the
            // answer. Say so, or a client reusing the connection reads nothing for its next request. Removed again
            // when the request passes.
            response.setHeader("Connection", "close");
        }
        Settings s = settings;
        String client = request.getRemoteAddr();
        String header = request.getHeader("Authorization");
        // credentials first: only wrong ones are limited, so right ones pass even while a guesser is held back
        Optional<Principal> who = authenticate(s, header);
        if (who.isEmpty() && header != null) {
            long wait = authenticator.failed(client, header);
            if (wait > 0) {
                response.setHeader("Retry-After", Long.toString(wait));
                return error(response, 429, "too_many_failures", "too many failed authentications from " + client
                        + " or for this user; wrong credentials are refused for " + wait + " s (right ones pass)");
            }
        }
        if (who.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"AutoWeave\", Basic realm=\"AutoWeave\"");
            return error(response, 401, "unauthorized",
                    "send 'Authorization: Bearer TOKEN' (aw:token makes one) or the administrator's Basic credentials");
        }
        Role needed = required(request.getMethod(), request.getRequestURI());
        if (!who.get().role().atLeast(needed)) {
            return error(response, 403, "forbidden", "'" + who.get().name() + "' has role "
                    + who.get().role().name().toLowerCase() + "; this needs " + needed.name().toLowerCase());
        }
        long max = maxBody(s, request.getMethod(), request.getRequestURI());
        if (request.getContentLengthLong() > max) {
            return error(response, 413, "too_large", "request body over " + max + " bytes (max."
                    + (max == s.maxPluginBytes() && max != s.maxRequestBytes() ? "plugin" : "request") + ".bytes in "
                    + PID + ")");
        }
        request.setAttribute(Principal.REQUEST_ATTRIBUTE, who.get());
        request.setAttribute(MAX_BODY_ATTRIBUTE, max);
        response.setHeader("Connection", null);
        return true;
    }

    Optional<Principal> authenticate(String header) {
        return authenticate(settings, header);
    }

    private Optional<Principal> authenticate(Settings s, String header) {
        if (header == null) {
            return Optional.empty();
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            return tokens.verify(token).or(() -> s.tokens().verify(token));
        }
        return authenticator.authenticateBasic(header).map(user -> new Principal(user, Role.ADMIN));
    }

    /**
     * Request attribute: the largest body this request may send (a Long), for servlets reading a body without a
     * length. This context owns the configuration, so the servlets need not read (and restart on) it themselves.
     */
    static final String MAX_BODY_ATTRIBUTE = "io.autoweave.http.maxBody";

    static final String PLUGINS = "/api/v1/plugins";
    static final String TOKENS = "/api/v1/tokens";

    /**
     * Viewers read; operators also write (start and stop plugins); installing, uninstalling, blocking and unblocking
     * plugins, API tokens (even listing them) and anything under {@code /admin/} need admin.
     */
    static Role required(String method, String uri) {
        boolean read = "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
        if (uri != null && (uri.contains("/admin/") || uri.equals(TOKENS) || uri.startsWith(TOKENS + "/"))) {
            return Role.ADMIN;
        }
        if (read) {
            return Role.VIEWER;
        }
        if (uri != null && (uri.equals(PLUGINS) || uri.startsWith(PLUGINS + "/"))) {
            String rest = uri.substring(PLUGINS.length());
            if (rest.isEmpty() || rest.equals("/") || "DELETE".equals(method) || rest.endsWith("/block")
                    || rest.endsWith("/unblock") || rest.endsWith("/block/") || rest.endsWith("/unblock/")) {
                return Role.ADMIN;
            }
        }
        return Role.OPERATOR;
    }

    /** Largest body accepted for a request: plugin uploads may be larger than the rest. */
    long maxBody(String method, String uri) {
        return maxBody(settings, method, uri);
    }

    private static long maxBody(Settings s, String method, String uri) {
        return "POST".equals(method) && (PLUGINS.equals(uri) || (PLUGINS + "/").equals(uri)) ? s.maxPluginBytes()
                : s.maxRequestBytes();
    }

    static boolean error(HttpServletResponse response, int status, String code, String message) throws IOException {
        return error(response, status, code, message, null);
    }

    /** @param reason the deciding component's own code (such as the install gate's), or null */
    static boolean error(HttpServletResponse response, int status, String code, String message, String reason)
            throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        if (reason != null) {
            body.put("reason", reason);
        }
        body.put("message", message);
        body.put("status", status);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(Json.write(body));
        response.flushBuffer();
        return false;
    }
}
