package io.autoweave.http.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;

import io.autoweave.commons.json.JsonParser;

/**
 * {@code /api/v1/tokens} (admin only, see {@link ApiSecurityContext#required}): {@code GET} lists names and roles,
 * never secrets; {@code POST {"name": "grafana", "role": "viewer"}} makes a token and answers it once (201);
 * {@code DELETE /api/v1/tokens/NAME} revokes it at once.
 */
@Component(service = Servlet.class, property = {
        HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=" + ApiSecurityContext.TOKENS + "/*",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT + "=" + ApiSecurityContext.SELECT })
public final class TokensServlet extends ApiResource {
    private static final long serialVersionUID = 1L;
    private static final String USAGE = "the body is {\"name\": \"grafana\", \"role\": \"viewer|operator|admin\"}";

    private final transient ApiTokens tokens;

    @Activate
    public TokensServlet(@Reference ApiTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (segments(req).length != 0) {
            throw ApiException.notFound("no resource " + req.getRequestURI() + ": GET " + ApiSecurityContext.TOKENS);
        }
        onlyParameters(req, Set.of());
        List<Map<String, Object>> list = tokens.list().stream().map(TokensServlet::describe).toList();
        json(resp, 200, Map.of("tokens", list));
    }

    @Override
    void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (segments(req).length != 0) {
            throw ApiException.notFound("no resource " + req.getRequestURI() + ": POST " + ApiSecurityContext.TOKENS);
        }
        onlyParameters(req, Set.of());
        byte[] raw = req.getInputStream().readNBytes(16 * 1024 + 1);
        if (raw.length > 16 * 1024) {
            throw new ApiException(413, "too_large", "a token request is at most 16 KiB");
        }
        Object json;
        try {
            json = JsonParser.parse(new String(raw, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid JSON at " + e.getMessage() + "; " + USAGE);
        }
        if (!(json instanceof Map<?, ?> m) || !Set.of("name", "role").equals(m.keySet())
                || !(m.get("name") instanceof String name) || !(m.get("role") instanceof String role)) {
            throw ApiException.badRequest(USAGE);
        }
        String token;
        try {
            token = tokens.create(name, role);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().contains("exists") ? new ApiException(409, "conflict", e.getMessage())
                    : ApiException.badRequest(e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>(describe(new ApiTokens.Listed(name, Role.parse(role))));
        body.put("token", token);
        body.put("message", "shown only now; only its salted hash is kept");
        resp.setHeader("Location", ApiSecurityContext.TOKENS + "/" + name);
        json(resp, 201, body);
    }

    @Override
    void delete(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String[] path = segments(req);
        if (path.length != 1) {
            throw ApiException.notFound("no resource " + req.getRequestURI() + ": DELETE " + ApiSecurityContext.TOKENS
                    + "/NAME");
        }
        onlyParameters(req, Set.of());
        if (!tokens.revoke(path[0])) {
            throw ApiException.notFound("no API token named '" + path[0] + "' (GET " + ApiSecurityContext.TOKENS
                    + " lists them)");
        }
        json(resp, 200, Map.of("name", path[0], "revoked", true));
    }

    private static Map<String, Object> describe(ApiTokens.Listed t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("role", t.role().name().toLowerCase(java.util.Locale.ROOT));
        return m;
    }
}
