package io.autoweave.pluginhost.channel;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class FramesTest {

    private static byte[] written(Map<String, Object>... frames) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = Frames.output(bytes);
        for (Map<String, Object> f : frames) {
            Frames.write(out, f);
        }
        return bytes.toByteArray();
    }

    /** A frame as a peer could send it: a length (maybe lying) and raw bytes. */
    private static DataInputStream raw(int length, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(length >>> 24);
        bytes.write(length >>> 16);
        bytes.write(length >>> 8);
        bytes.write(length);
        bytes.write(b, 0, b.length);
        return Frames.input(new ByteArrayInputStream(bytes.toByteArray()));
    }

    @Test
    public void framesRoundTripInOrderWithVersionTypeAndFields() throws IOException {
        @SuppressWarnings("unchecked")
        byte[] b = written(Frames.of("ack", "seq", 41L), Frames.of("log", "stream", "out", "line", "héllo \"x\"\n"),
                Frames.of("hb", "heap", 123456789012L, "threads", 12, "list", List.of(1, 2)));
        DataInputStream in = Frames.input(new ByteArrayInputStream(b));
        Map<String, Object> ack = Frames.read(in);
        assertEquals("ack", ack.get("t"));
        assertEquals(Frames.VERSION, ((Number) ack.get("v")).intValue());
        assertEquals(41L, ((Number) ack.get("seq")).longValue());
        assertEquals("héllo \"x\"\n", Frames.read(in).get("line"));
        Map<String, Object> hb = Frames.read(in);
        assertEquals(123456789012L, ((Number) hb.get("heap")).longValue());
        assertEquals(2, ((List<?>) hb.get("list")).size());
        assertThrows(EOFException.class, () -> Frames.read(in));
    }

    @Test
    public void aFrameLongerThanTheLimitIsRefusedBeforeItsBodyIsRead() {
        Frames.ProtocolException e = assertThrows(Frames.ProtocolException.class,
                () -> Frames.read(raw(Frames.MAX_FRAME + 1, "")));
        assertTrue(e.getMessage(), e.getMessage().contains("outside"));
        assertThrows(Frames.ProtocolException.class, () -> Frames.read(raw(-5, "")));
        assertThrows(Frames.ProtocolException.class, () -> Frames.read(raw(0, "")));
    }

    @Test
    public void theWriterRefusesAFrameOverTheLimitInsteadOfSendingIt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        IOException e = assertThrows(IOException.class, () -> Frames.write(Frames.output(bytes),
                Frames.of("log", "line", "x".repeat(Frames.MAX_FRAME))));
        assertTrue(e.getMessage(), e.getMessage().contains("exceeds"));
        assertEquals(0, bytes.size());
    }

    @Test
    public void aFrameOfAnotherVersionWithoutATypeOrNotAJsonObjectIsAProtocolViolation() {
        String[] bad = { "{\"v\":2,\"t\":\"ack\"}", "{\"t\":\"ack\"}", "{\"v\":1}", "{\"v\":1,\"t\":5}", "[1,2]",
            "\"ack\"", "{\"v\":1,\"t\":\"ack\"", "not json at all" };
        for (String body : bad) {
            int length = body.getBytes(StandardCharsets.UTF_8).length;
            assertThrows(body, Frames.ProtocolException.class, () -> Frames.read(raw(length, body)));
        }
    }

    @Test
    public void aTruncatedFrameEndsTheStreamInsteadOfBlockingOrParsingHalfAnObject() {
        assertThrows(EOFException.class, () -> Frames.read(raw(100, "{\"v\":1,\"t\":\"ack\"}")));
    }

    @Test
    public void noJavaObjectIsEverBuiltFromTheWire() throws IOException {
        // a type name in a frame stays a string: the reader builds only maps, lists, strings, numbers, booleans
        String body = "{\"v\":1,\"t\":\"hb\",\"@class\":\"java.lang.ProcessBuilder\",\"x\":{\"y\":[true,null]}}";
        Map<String, Object> f = Frames.read(raw(body.length(), body));
        assertEquals("java.lang.ProcessBuilder", f.get("@class"));
        assertTrue(f.get("x") instanceof Map);
    }
}
