package io.autoweave.eventlog.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.log.LogRecord;

/**
 * Compact, explicit binary form of a {@link LogRecord} (the body of one frame in a segment).
 *
 * <p>Layout, version 1: {@code u8 version | i64 seq | i64 appendMillis | u8 kind} then per kind:
 * <ul>
 * <li>EVENT: the event, then {@code varlong reconciledLastSeenMillis};</li>
 * <li>UPDATE: {@code varlong updates}, then the event;</li>
 * <li>LOSS: {@code varlong count | id first | id last | i64 firstTs | i64 lastTs | str reason}.</li>
 * </ul>
 * An event is {@code id eventId | str instanceId | u8 action (0 attach, 1 detach) | i64 timestamp | i64 monotonic |
 * varint vendor, product | str serial, manufacturer, product | varint class, subclass, protocol | varint n, n x
 * interface class | varint bcdDevice, bus, address | str portPath | sig signature | varint n, n x str source (sorted)
 * | varint flapCount}. Integers are zig-zag LEB128 varints; {@code str} is a varint of byteLength + 1 then UTF-8
 * (0 = null); {@code id} is a 16-byte UUID when the text is a canonical lower-case UUID (tag 1), else a {@code str}
 * (tag 0); {@code sig} is 32 raw bytes when the text is 64 lower-case hex digits (tag 1), else a {@code str}
 * (tag 0). So an event with UUID ids and a SHA-256 signature costs about 150 bytes instead of 560 as JSON.
 * A decoder rejects versions and codes it does not know instead of guessing.
 *
 * <p><b>Size.</b> Why one class of over 400 lines: the whole on-disk format is here, each encoder beside its decoder,
 * so a change to the layout is one diff that can be read against the layout above.
 */
final class RecordCodec {
    static final int VERSION = 1;
    private static final int EVENT = 0;
    private static final int UPDATE = 1;
    private static final int LOSS = 2;

    private RecordCodec() {
    }

    static byte[] encode(LogRecord r) {
        Writer w = new Writer();
        w.u8(VERSION);
        w.i64(r.seq());
        w.i64(r.appendMillis());
        switch (r.kind()) {
            case EVENT -> {
                w.u8(EVENT);
                event(w, r.event());
                w.varlong(r.reconciledLastSeenMillis());
            }
            case UPDATE -> {
                w.u8(UPDATE);
                w.varlong(r.updates());
                event(w, r.event());
            }
            case LOSS -> {
                w.u8(LOSS);
                LogRecord.Loss l = r.loss();
                w.varlong(l.count());
                w.id(l.firstEventId());
                w.id(l.lastEventId());
                w.i64(l.firstTimestampMillis());
                w.i64(l.lastTimestampMillis());
                w.string(l.reason());
            }
        }
        return w.toByteArray();
    }

    /** @throws IllegalArgumentException when the bytes are not one complete record of a known version */
    static LogRecord decode(byte[] bytes, int offset, int length) {
        Reader r = new Reader(bytes, offset, length);
        int version = r.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown log record version " + version);
        }
        long seq = r.i64();
        long appendMillis = r.i64();
        int kind = r.u8();
        try {
            return decode(r, seq, appendMillis, kind);
        } catch (NullPointerException e) {
            // a field the record types require is encoded as null: corrupt, not a crash
            throw new IllegalArgumentException("log record " + seq + " lacks a required field: " + e.getMessage(), e);
        }
    }

    private static LogRecord decode(Reader r, long seq, long appendMillis, int kind) {
        LogRecord out;
        switch (kind) {
            case EVENT -> {
                UsbEvent e = event(r);
                out = new LogRecord(seq, appendMillis, LogRecord.Kind.EVENT, e, 0, r.varlong(), null);
            }
            case UPDATE -> {
                long updates = r.varlong();
                out = new LogRecord(seq, appendMillis, LogRecord.Kind.UPDATE, event(r), updates, 0, null);
            }
            case LOSS -> {
                long count = r.varlong();
                String first = r.id();
                String last = r.id();
                long firstTs = r.i64();
                long lastTs = r.i64();
                String reason = r.string();
                out = new LogRecord(seq, appendMillis, LogRecord.Kind.LOSS, null, 0, 0,
                        new LogRecord.Loss(count, first, last, firstTs, lastTs, reason));
            }
            default -> throw new IllegalArgumentException("unknown log record kind " + kind);
        }
        r.expectEnd();
        return out;
    }

    /** The seq of an encoded record without decoding the rest. */
    static long seqOf(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 1; i <= 8; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xFF);
        }
        return v;
    }

    private static void event(Writer w, UsbEvent e) {
        w.id(e.eventId());
        w.string(e.instanceId());
        w.u8(e.action() == UsbAction.ATTACH ? 0 : 1);
        w.i64(e.timestampMillis());
        w.i64(e.monotonicNanos());
        UsbDevice d = e.device();
        w.varint(d.vendorId());
        w.varint(d.productId());
        w.string(d.serial());
        w.string(d.manufacturer());
        w.string(d.product());
        w.varint(d.deviceClass());
        w.varint(d.deviceSubclass());
        w.varint(d.deviceProtocol());
        w.varint(d.interfaceClasses().size());
        for (int c : d.interfaceClasses()) {
            w.varint(c);
        }
        w.varint(d.bcdDevice());
        w.varint(d.busNumber());
        w.varint(d.deviceAddress());
        w.string(d.portPath());
        w.signature(d.signature());
        Set<String> sources = e.sources(); // in their order: the first reporter first
        w.varint(sources.size());
        for (String s : sources) {
            w.string(s);
        }
        w.varint(e.flapCount());
    }

    private static UsbEvent event(Reader r) {
        String eventId = r.id();
        String instanceId = r.string();
        int code = r.u8();
        if (code > 1) {
            throw new IllegalArgumentException("unknown action code " + code);
        }
        UsbAction action = code == 0 ? UsbAction.ATTACH : UsbAction.DETACH;
        long timestamp = r.i64();
        long monotonic = r.i64();
        int vendorId = r.varint();
        int productId = r.varint();
        String serial = r.string();
        String manufacturer = r.string();
        String product = r.string();
        int deviceClass = r.varint();
        int deviceSubclass = r.varint();
        int deviceProtocol = r.varint();
        int n = r.count();
        List<Integer> interfaces = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            interfaces.add(r.varint());
        }
        int bcd = r.varint();
        int bus = r.varint();
        int address = r.varint();
        String port = r.string();
        String signature = r.signature();
        int sourceCount = r.count();
        Set<String> sources = new java.util.LinkedHashSet<>();
        for (int i = 0; i < sourceCount; i++) {
            sources.add(r.string());
        }
        int flaps = r.varint();
        UsbDevice device = new UsbDevice(vendorId, productId, serial, manufacturer, product, deviceClass,
                deviceSubclass, deviceProtocol, interfaces, bcd, bus, address, port, signature);
        return new UsbEvent(eventId, instanceId, action, timestamp, monotonic, device, sources, flaps);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static final class Writer {
        private byte[] buf = new byte[192];
        private int len;

        private void ensure(int extra) {
            if (len + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[len++] = (byte) v;
        }

        void varint(int signed) {
            varlong(signed);
        }

        void varlong(long signed) {
            long v = (signed << 1) ^ (signed >> 63);
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[len++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
        }

        void i64(long v) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (v >>> shift);
            }
        }

        void string(String s) {
            if (s == null) {
                varlong(0);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            varlong(utf8.length + 1L);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buf, len, utf8.length);
            len += utf8.length;
        }

        void id(String s) {
            if (s != null && isUuid(s)) {
                u8(1);
                ensure(16);
                int j = 0;
                for (int i = 0; i < 36; i++) {
                    char c = s.charAt(i);
                    if (c == '-') {
                        continue;
                    }
                    int hi = Character.digit(c, 16);
                    int lo = Character.digit(s.charAt(++i), 16);
                    buf[len + j++] = (byte) ((hi << 4) | lo);
                }
                len += 16;
            } else {
                u8(0);
                string(s);
            }
        }

        void signature(String s) {
            if (s != null && s.length() == 64 && isLowerHex(s, 0, 64)) {
                u8(1);
                ensure(32);
                for (int i = 0; i < 64; i += 2) {
                    buf[len++] = (byte) ((Character.digit(s.charAt(i), 16) << 4) | Character.digit(s.charAt(i + 1), 16));
                }
            } else {
                u8(0);
                string(s);
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLowerHex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static final class Reader {
        private final byte[] buf;
        private final int end;
        private int pos;

        Reader(byte[] buf, int offset, int length) {
            this.buf = buf;
            this.pos = offset;
            this.end = offset + length;
        }

        private void need(int n) {
            if (n < 0 || pos + n > end) {
                throw new IllegalArgumentException("truncated log record at byte " + pos);
            }
        }

        int u8() {
            need(1);
            return buf[pos++] & 0xFF;
        }

        long varlong() {
            long result = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                int b = u8();
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return (result >>> 1) ^ -(result & 1);
                }
            }
            throw new IllegalArgumentException("varint too long at byte " + pos);
        }

        int varint() {
            long v = varlong();
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("integer out of range at byte " + pos);
            }
            return (int) v;
        }

        int count() {
            int n = varint();
            if (n < 0 || n > end - pos) {
                throw new IllegalArgumentException("implausible element count " + n + " at byte " + pos);
            }
            return n;
        }

        long i64() {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[pos++] & 0xFF);
            }
            return v;
        }

        String string() {
            long n = varlong();
            if (n == 0) {
                return null;
            }
            if (n < 0 || n - 1 > end - pos) {
                throw new IllegalArgumentException("implausible string length at byte " + pos);
            }
            int len = (int) (n - 1);
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        String id() {
            int tag = u8();
            if (tag == 0) {
                return string();
            }
            if (tag != 1) {
                throw new IllegalArgumentException("unknown id tag " + tag);
            }
            need(16);
            char[] c = new char[36];
            int j = 0;
            for (int i = 0; i < 16; i++) {
                if (i == 4 || i == 6 || i == 8 || i == 10) {
                    c[j++] = '-';
                }
                int b = buf[pos++] & 0xFF;
                c[j++] = HEX[b >>> 4];
                c[j++] = HEX[b & 0xF];
            }
            return new String(c);
        }

        String signature() {
            int tag = u8();
            if (tag == 0) {
                return string();
            }
            if (tag != 1) {
                throw new IllegalArgumentException("unknown signature tag " + tag);
            }
            need(32);
            char[] c = new char[64];
            for (int i = 0; i < 32; i++) {
                int b = buf[pos++] & 0xFF;
                c[2 * i] = HEX[b >>> 4];
                c[2 * i + 1] = HEX[b & 0xF];
            }
            return new String(c);
        }

        void expectEnd() {
            if (pos != end) {
                throw new IllegalArgumentException((end - pos) + " trailing bytes after the log record");
            }
        }
    }
}
