package io.autoweave.resources.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;

/**
 * CPU time and allocated bytes of threads by id, through HotSpot's {@code com.sun.management.ThreadMXBean}.
 *
 * <p>That package is not among the framework's system packages, so it is reached through the platform class loader
 * and reflection instead of an import (adding it to the system packages would be a launcher change for one class).
 * Where it is missing, allocation reads -1 and CPU falls back to the standard per-thread call.
 */
final class ThreadMeter {
    private final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    private final Method cpu;
    private final Method allocated;

    ThreadMeter() {
        Method c = null;
        Method a = null;
        try {
            Class<?> hotspot = ClassLoader.getPlatformClassLoader().loadClass("com.sun.management.ThreadMXBean");
            if (hotspot.isInstance(bean)) {
                c = hotspot.getMethod("getThreadCpuTime", long[].class);
                a = hotspot.getMethod("getThreadAllocatedBytes", long[].class);
                Method enable = hotspot.getMethod("setThreadAllocatedMemoryEnabled", boolean.class);
                enable.invoke(bean, true);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            c = null;
            a = null;
        }
        if (bean.isThreadCpuTimeSupported() && !bean.isThreadCpuTimeEnabled()) {
            bean.setThreadCpuTimeEnabled(true);
        }
        this.cpu = c;
        this.allocated = a;
    }

    boolean measuresAllocation() {
        return allocated != null;
    }

    /** CPU nanoseconds per thread; -1 for a thread that ended. */
    long[] cpuNanos(long[] ids) {
        if (cpu != null) {
            try {
                return (long[]) cpu.invoke(bean, (Object) ids);
            } catch (ReflectiveOperationException e) {
                // fall back below
            }
        }
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = bean.getThreadCpuTime(ids[i]);
        }
        return out;
    }

    /** Bytes allocated per thread; -1 for a thread that ended, or everywhere if not measurable. */
    long[] allocatedBytes(long[] ids) {
        if (allocated != null) {
            try {
                return (long[]) allocated.invoke(bean, (Object) ids);
            } catch (ReflectiveOperationException e) {
                // not measurable
            }
        }
        long[] out = new long[ids.length];
        java.util.Arrays.fill(out, -1);
        return out;
    }
}
