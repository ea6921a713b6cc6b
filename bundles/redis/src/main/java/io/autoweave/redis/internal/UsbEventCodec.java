package io.autoweave.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbEventSink;

/**
 * Compact, explicit binary form of a {@link UsbEvent} for the outbox journal.
 *
 * <p>Layout (version 1): a version byte, then every field in record order. Integers are unsigned LEB128 varints
 * after zig-zag encoding (so -1 costs one byte), longs are 8 bytes big-endian, strings are a varint of
 * {@code byteLength + 1} followed by UTF-8 (0 means null), lists and sets are a varint count followed by their
 * elements; sources are written sorted so equal events encode to equal bytes. The action is written as an
 * explicit code (0 attach, 1 detach), never as an enum ordinal. A new field means a new version byte; decoders
 * reject versions they do not know instead of guessing.
 *
 * <p>A loss marker ({@link UsbEventSink.Loss}: events the pipeline shed for this sink) shares the journal with the
 * events so it keeps its place in the order. Its first byte is {@value #LOSS_VERSION}, then marker id, instance id
 * (strings), shed and coalesced counts, first and last event time (longs), first and last event id (strings).
 */
final class UsbEventCodec {
    static final int VERSION = 1;
    /** First byte of a loss marker record (version 1 of that record kind). */
    static final int LOSS_VERSION = 0x81;
    private static final int ATTACH = 0;
    private static final int DETACH = 1;

    private UsbEventCodec() {
    }

    static byte[] encode(UsbEvent event) {
        Writer w = new Writer();
        w.u8(VERSION);
        w.string(event.eventId());
        w.string(event.instanceId());
        w.varint(event.action() == UsbAction.ATTACH ? ATTACH : DETACH);
        w.i64(event.timestampMillis());
        w.i64(event.monotonicNanos());
        UsbDevice d = event.device();
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
        w.string(d.signature());
        Set<String> sources = new TreeSet<>(event.sources());
        w.varint(sources.size());
        for (String s : sources) {
            w.string(s);
        }
        w.varint(event.flapCount());
        return w.toByteArray();
    }

    /**
     * @throws IllegalArgumentException when the bytes are truncated, carry trailing garbage or an unknown version
     */
    static UsbEvent decode(byte[] bytes) {
        Reader r = new Reader(bytes);
        int version = r.u8();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown UsbEvent codec version " + version);
        }
        String eventId = r.string();
        String instanceId = r.string();
        int actionCode = r.varint();
        UsbAction action;
        if (actionCode == ATTACH) {
            action = UsbAction.ATTACH;
        } else if (actionCode == DETACH) {
            action = UsbAction.DETACH;
        } else {
            throw new IllegalArgumentException("unknown action code " + actionCode);
        }
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
        int interfaces = r.count();
        List<Integer> interfaceClasses = new ArrayList<>(interfaces);
        for (int i = 0; i < interfaces; i++) {
            interfaceClasses.add(r.varint());
        }
        int bcdDevice = r.varint();
        int bus = r.varint();
        int address = r.varint();
        String portPath = r.string();
        String signature = r.string();
        int sourceCount = r.count();
        Set<String> sources = new TreeSet<>();
        for (int i = 0; i < sourceCount; i++) {
            sources.add(r.string());
        }
        int flapCount = r.varint();
        r.expectEnd();
        UsbDevice device = new UsbDevice(vendorId, productId, serial, manufacturer, product, deviceClass,
                deviceSubclass, deviceProtocol, interfaceClasses, bcdDevice, bus, address, portPath, signature);
        return new UsbEvent(eventId, instanceId, action, timestamp, monotonic, device, sources, flapCount);
    }

    static byte[] encode(UsbEventSink.Loss loss) {
        Writer w = new Writer();
        w.u8(LOSS_VERSION);
        w.string(loss.markerId());
        w.string(loss.instanceId());
        w.i64(loss.shed());
        w.i64(loss.coalesced());
        w.i64(loss.firstTimestampMillis());
        w.i64(loss.lastTimestampMillis());
        w.string(loss.firstEventId());
        w.string(loss.lastEventId());
        return w.toByteArray();
    }

    /** Whether {@code bytes} hold a loss marker rather than an event. */
    static boolean isLoss(byte[] bytes) {
        return bytes.length > 0 && (bytes[0] & 0xFF) == LOSS_VERSION;
    }

    /**
     * @throws IllegalArgumentException when the bytes are not a complete loss marker
     */
    static UsbEventSink.Loss decodeLoss(byte[] bytes) {
        Reader r = new Reader(bytes);
        int version = r.u8();
        if (version != LOSS_VERSION) {
            throw new IllegalArgumentException("not a loss marker: version byte " + version);
        }
        String markerId = r.string();
        String instanceId = r.string();
        long shed = r.i64();
        long coalesced = r.i64();
        long first = r.i64();
        long last = r.i64();
        String firstId = r.string();
        String lastId = r.string();
        r.expectEnd();
        return new UsbEventSink.Loss(markerId, instanceId, shed, coalesced, firstId, lastId, first, last);
    }

    private static final class Writer {
        private byte[] buf = new byte[256];
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
            uvarint((signed << 1) ^ (signed >> 31));
        }

        private void uvarint(int v) {
            ensure(5);
            while ((v & ~0x7F) != 0) {
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
                uvarint(0);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            uvarint(utf8.length + 1);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buf, len, utf8.length);
            len += utf8.length;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }

    private static final class Reader {
        private final byte[] buf;
        private int pos;

        Reader(byte[] buf) {
            this.buf = buf;
        }

        private void need(int n) {
            if (n < 0 || pos + n > buf.length) {
                throw new IllegalArgumentException("truncated UsbEvent at byte " + pos);
            }
        }

        int u8() {
            need(1);
            return buf[pos++] & 0xFF;
        }

        private int uvarint() {
            int result = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = u8();
                result |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("varint too long at byte " + pos);
        }

        int varint() {
            int v = uvarint();
            return (v >>> 1) ^ -(v & 1);
        }

        int count() {
            int n = varint();
            if (n < 0 || n > buf.length - pos) {
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
            int n = uvarint();
            if (n == 0) {
                return null;
            }
            need(n - 1);
            String s = new String(buf, pos, n - 1, StandardCharsets.UTF_8);
            pos += n - 1;
            return s;
        }

        void expectEnd() {
            if (pos != buf.length) {
                throw new IllegalArgumentException((buf.length - pos) + " trailing bytes after UsbEvent");
            }
        }
    }
}
