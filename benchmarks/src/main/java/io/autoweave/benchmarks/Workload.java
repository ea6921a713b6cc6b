package io.autoweave.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongUnaryOperator;

/**
 * The simulated hot-plug workload. Event n is device {@code n % DEVICES}, attach on even passes over the device set
 * and detach on odd ones: each device alternates attach/detach and is seen again only {@link #DEVICES} events
 * later, i.e. after more than the default debounce window (500 ms) even at 100k events/s, so every report becomes
 * exactly one event (nothing is collapsed) and the counts in Redis can be compared with the counts offered.
 */
final class Workload {
    static final int DEVICES = 1 << 17;

    private Workload() {
    }

    /** The argument of the report probe for event n. */
    static long code(long n) {
        long device = n % DEVICES;
        long action = (n / DEVICES) & 1;
        return device << 1 | action;
    }

    static LongConsumer reporting(LongUnaryOperator probe) {
        return n -> probe.applyAsLong(code(n));
    }

    /**
     * Open loop: calls {@code send} for n = first, first+1, ... at {@code rate} per second for {@code nanos}, each at
     * its scheduled time (immediately when behind), until {@code nanos} have passed. Returns how many were sent:
     * fewer than rate × time when {@code send} cannot keep up (the achieved rate is then the capacity).
     */
    static long paced(double rate, long nanos, long first, LongConsumer send) {
        long period = (long) (1e9 / rate);
        long start = System.nanoTime();
        long end = start + nanos;
        long i = 0;
        while (true) {
            long due = start + i * period;
            if (due >= end || System.nanoTime() >= end) {
                return i;
            }
            // parks, never spins: the CPU per event figure counts this whole process, and a spinning generator
            // would charge its own waiting to the runtime (latency starts when the pipeline takes the report, so
            // the timer slack of a park only shifts send times, it is not in the figures)
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            send.accept(first + i++);
        }
    }

    /** Entry fields shaped like the runtime's (same 18 names, similar lengths), for the raw Redis baselines. */
    static Map<String, String> sampleFields(long n) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("source", "simulated");
        f.put("action", "attach");
        f.put("vendor_id", "1d6b");
        f.put("product_id", "0104");
        f.put("device_signature", "5f1c0a9e3b7d2c4f6a8e0b1d3c5e7f9a2b4d6f8e0a1c3e5b7d9f1a3c5e7b9d0f");
        f.put("manufacturer", "AutoWeave");
        f.put("product", "Bench device");
        f.put("serial_number", "BENCH-" + (n % DEVICES));
        f.put("bus_number", "9");
        f.put("device_address", "57");
        f.put("port_path", "9-" + (n % DEVICES));
        f.put("timestamp", Long.toString(System.currentTimeMillis()));
        f.put("device_descriptor", "{\"idVendor\":7531,\"idProduct\":260,\"bcdDevice\":256,\"bDeviceClass\":0,"
                + "\"bDeviceSubClass\":0,\"bDeviceProtocol\":0,\"interfaceClasses\":[3]}");
        f.put("event_id", "01936a4e-8f2b-7c3d-9e4f-5a6b7c8d9e0f");
        f.put("instance_id", "6c2f8a1e-4b3d-4e5f-8a9b-0c1d2e3f4a5b");
        f.put("sources", "simulated");
        f.put("flap_count", "0");
        f.put("monotonic_ns", Long.toString(System.nanoTime()));
        return f;
    }
}
