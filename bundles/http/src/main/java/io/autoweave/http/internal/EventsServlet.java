package io.autoweave.http.internal;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.servlet.whiteboard.HttpWhiteboardConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.autoweave.api.log.EventLog;
import io.autoweave.api.log.LogRecord;
import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.commons.json.Json;
import io.autoweave.commons.event.EventJson;

/**
 * {@code GET /api/v1/events}: the USB events as Server-Sent Events ({@link EventStream}), resuming after the
 * {@code Last-Event-ID} header or the {@code since} query parameter (for clients that cannot set headers); without
 * either, live events only. With {@code ?limit=N} (or {@code Accept: application/json}) the newest N events, or the
 * N after {@code since}, as one JSON answer.
 */
@Component(service = Servlet.class, configurationPid = EventsServlet.PID, property = {
        HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/api/v1/events",
        HttpWhiteboardConstants.HTTP_WHITEBOARD_CONTEXT_SELECT + "=" + ApiSecurityContext.SELECT })
@Designate(ocd = EventsConfig.class)
public final class EventsServlet extends ApiResource {
    static final String PID = "io.autoweave.http.events";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EventsServlet.class);
    static final int MAX_LIMIT = 1000;
    /** A slot frees when a client leaves; a dead one is found within a heartbeat (see EventStream). */
    static final long RETRY_AFTER_SECONDS = 5;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    transient volatile EventLog history;

    /** The checked configuration in force. */
    record Settings(long heartbeatMillis, long maxLag, int maxStreams) {
        static Settings of(EventsConfig c) {
            return new Settings(ConfigRefusal.range("heartbeat.seconds", c.heartbeat_seconds(), 1, 300) * 1000L,
                    ConfigRefusal.atLeast("max.client.lag", c.max_client_lag(), 1),
                    (int) ConfigRefusal.range("max.streams", c.max_streams(), 1, 10_000));
        }
    }

    private final transient LastGoodConfig<EventsConfig, Settings> config;
    private volatile Settings settings;
    /** Streams open now; a change of max.streams applies to the next request (open streams are not cut). */
    private final transient AtomicInteger open = new AtomicInteger();
    private volatile boolean running = true;

    @Activate
    public EventsServlet(BundleContext ctx, EventsConfig config, Map<String, Object> properties) {
        this.config = new LastGoodConfig<>(PID, EventsConfig.class, Settings::of);
        this.settings = this.config.start(ctx, config, properties);
    }

    /** Applied in place: the servlet and its open streams stay; a refused change keeps the settings in force. */
    @Modified
    void modified(EventsConfig config, Map<String, Object> properties) {
        this.config.modified(config, properties).ifPresent(s -> settings = s);
    }

    @Deactivate
    void deactivate() {
        running = false; // open streams end within EventStream.POLL_MILLIS
        config.close();
    }

    @Override
    void get(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (segments(req).length > 0) {
            throw ApiException.notFound("no resource " + req.getRequestURI() + " (GET /api/v1/events)");
        }
        onlyParameters(req, Set.of("since", "limit"));
        EventLog h = history;
        if (h == null) {
            throw ApiException.unavailable("the USB pipeline is not running, so there is no event history");
        }
        long since = number(req, "since", 0, Long.MAX_VALUE, -1);
        String accept = req.getHeader("Accept");
        boolean asJson = req.getParameter("limit") != null
                || (accept != null && accept.contains("application/json") && !accept.contains("text/event-stream"));
        if (asJson) {
            list(h, since, (int) number(req, "limit", 1, MAX_LIMIT, 100), resp);
            return;
        }
        String header = req.getHeader("Last-Event-ID");
        if (header != null && !header.isBlank()) {
            try {
                since = Long.parseLong(header.trim());
                if (since < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Last-Event-ID must be the id: of an event this stream sent (a whole "
                        + "number >= 0), not '" + header + "'");
            }
        }
        Settings s = settings;
        if (open.incrementAndGet() > s.maxStreams()) {
            open.decrementAndGet();
            throw new ApiException(503, "too_many_streams", s.maxStreams() + " event streams are open, the most "
                    + "allowed (max.streams in " + PID + "); retry later").retryAfter(RETRY_AFTER_SECONDS);
        }
        try {
            stream(h, since, s, req, resp);
        } finally {
            open.decrementAndGet();
        }
    }

    private void stream(EventLog h, long since, Settings settings, HttpServletRequest req,
            HttpServletResponse resp)
            throws IOException {
        resp.setStatus(200);
        resp.setContentType("text/event-stream");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
        ServletOutputStream out = resp.getOutputStream();
        EventStream s = new EventStream(h, new EventStream.Sink() {
            @Override
            public void write(String text) throws IOException {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }
        }, since, settings.heartbeatMillis(), settings.maxLag(), () -> running && history == h,
                System::currentTimeMillis);
        try {
            s.run();
        } catch (IOException e) {
            LOG.debug("event stream to {} ended: {}", req.getRemoteAddr(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void list(EventLog h, long since, int limit, HttpServletResponse resp) throws IOException {
        long after = since >= 0 ? since : Math.max(0, h.lastSeq() - limit);
        List<LogRecord> records = h.read(after, limit);
        long oldest = h.firstSeq();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("oldest", oldest);
        body.put("newest", h.lastSeq());
        if (since >= 0 && since < oldest - 1) {
            Map<String, Object> missed = new LinkedHashMap<>();
            missed.put("from", since + 1);
            missed.put("to", oldest - 1);
            missed.put("count", oldest - 1 - since);
            missed.put("message", "records " + (since + 1) + " to " + (oldest - 1)
                    + " are no longer in the event log; they are not in this answer");
            body.put("missed", missed);
        }
        List<Map<String, Object>> out = new java.util.ArrayList<>(records.size());
        for (LogRecord r : records) {
            out.add(EventJson.record(r));
        }
        body.put("events", out);
        json(resp, 200, body);
    }
}
