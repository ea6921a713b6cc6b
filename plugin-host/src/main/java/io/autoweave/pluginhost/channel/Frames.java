package io.autoweave.pluginhost.channel;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import io.autoweave.commons.json.Json;
import io.autoweave.commons.json.JsonParser;

/**
 * The plugin host channel's wire format, version {@value #VERSION}: a frame is a 4-byte big-endian length, then that
 * many bytes of UTF-8 JSON holding one object with {@code "v"} (the format version) and {@code "t"} (the message
 * type). Data only: strings, numbers, booleans, lists and objects, parsed by the project's JSON parser; nothing is
 * ever instantiated from the wire (never Java serialization: the host is untrusted).
 *
 * <p>Runtime → host: {@code event} ({@code seq}, {@code event}: the event's fields), {@code stop}. Host → runtime:
 * {@code ready} ({@code plugin}, {@code version}), {@code failed} ({@code reason}), {@code hb} ({@code heap},
 * {@code threads}), {@code ack} ({@code seq}), {@code log} ({@code stream}, {@code line}), {@code metric}
 * ({@code name}, {@code value}). A reader refuses a frame over {@link #MAX_FRAME} bytes, of another version, or
 * that is not an object with a type: the peer is then cut off.
 */
public final class Frames {
    /** The format version written into every frame and required of every frame read. */
    public static final int VERSION = 1;
    /** The largest frame accepted (an event is well below 4 KiB). */
    public static final int MAX_FRAME = 64 * 1024;

    private Frames() {
    }

    /** A frame of type {@code type} with the given fields (name, value pairs). */
    public static Map<String, Object> of(String type, Object... fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", VERSION);
        m.put("t", type);
        for (int i = 0; i + 1 < fields.length; i += 2) {
            m.put((String) fields[i], fields[i + 1]);
        }
        return m;
    }

    /** Writes one frame and flushes; callers serialise writes to one stream. */
    public static void write(DataOutputStream out, Map<String, Object> frame) throws IOException {
        byte[] body = Json.write(frame).getBytes(StandardCharsets.UTF_8);
        if (body.length > MAX_FRAME) {
            throw new IOException("frame of " + body.length + " bytes exceeds " + MAX_FRAME);
        }
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    /**
     * Reads one frame.
     *
     * @throws EOFException at the end of the stream
     * @throws ProtocolException for a frame this version does not accept
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> read(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 2 || length > MAX_FRAME) {
            throw new ProtocolException("frame length " + length + " outside 2.." + MAX_FRAME);
        }
        byte[] body = new byte[length];
        in.readFully(body);
        Object parsed;
        try {
            parsed = JsonParser.parse(new String(body, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("frame is not JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map)) {
            throw new ProtocolException("frame is not a JSON object");
        }
        Map<String, Object> m = (Map<String, Object>) parsed;
        if (!(m.get("v") instanceof Number) || ((Number) m.get("v")).intValue() != VERSION) {
            throw new ProtocolException("frame version " + m.get("v") + ", this side speaks " + VERSION);
        }
        if (!(m.get("t") instanceof String)) {
            throw new ProtocolException("frame without a type");
        }
        return m;
    }

    public static DataInputStream input(InputStream in) {
        return new DataInputStream(new java.io.BufferedInputStream(in));
    }

    public static DataOutputStream output(OutputStream out) {
        return new DataOutputStream(new java.io.BufferedOutputStream(out));
    }

    /** A frame the reader does not accept. */
    public static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        public ProtocolException(String message) {
            super(message);
        }
    }
}
