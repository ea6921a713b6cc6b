package io.autoweave.http.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.osgi.service.component.annotations.Component;

import io.autoweave.commons.json.Json;

/**
 * Errors Jetty answers itself, before any servlet or filter runs (a request line it cannot parse, HTTP/0.9, an
 * unknown HTTP version, headers too large): the JSON error shape of the API instead of Jetty's page, never a class
 * name, and what the client caused as a 4xx (Jetty says 505 for HTTP/0.9 and 501 for what it does not implement).
 *
 * <p>Felix HTTP offers no service to set the server's error handler; {@link ConnectorFactory} is the one service it
 * hands the {@link Server} to (when the server starts, and again after a restart), so this factory sets the handler
 * there and contributes an in-memory {@link LocalConnector}: no socket, nothing reachable, only the way in.
 */
@Component(service = ConnectorFactory.class)
public final class JettyErrorAnswers implements ConnectorFactory {

    @Override
    public Connector createConnector(Server server) {
        server.setErrorHandler(new JsonErrors());
        return new LocalConnector(server);
    }

    /** The 4xx for what the client caused, the status otherwise. */
    static int answer(int status) {
        return switch (status) {
            case 505 -> 400; // HTTP/0.9 or an unknown version: the request is what is wrong
            case 501 -> 405; // a method Jetty does not implement
            default -> status;
        };
    }

    static String message(int status, int original) {
        if (original == 505) {
            return "unsupported HTTP version (HTTP/0.9 or unknown): send HTTP/1.1";
        }
        if (original == 501) {
            return "this method is not supported";
        }
        if (status == 431) {
            return "request headers too large";
        }
        if (status == 414) {
            return "request URI too long";
        }
        if (status >= 500) {
            return "the request failed inside the runtime; its log has the details";
        }
        return "the request could not be read as HTTP/1.1";
    }

    /** Jetty's server-level error handler, answering JSON. */
    static final class JsonErrors extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int original = request.getAttribute(ERROR_STATUS) instanceof Integer i ? i : response.getStatus();
            int status = answer(original);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", status == 405 ? "method_not_allowed" : status >= 500 ? "internal_error"
                    : status == 414 || status == 431 ? "too_large" : "bad_request");
            body.put("message", message(status, original));
            body.put("status", status);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(Json.write(body).getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }
}
