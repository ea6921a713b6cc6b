package io.autoweave.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Follows a stream with {@code XREAD BLOCK} and records, for every entry, {@code System.nanoTime() - monotonic_ns}:
 * the time from the event's first detection in this JVM until it is readable in Redis (i.e. XADD acknowledged,
 * plus one read round trip). Counts entries whose serial starts with the bench prefix.
 */
final class StreamReader implements AutoCloseable {
    private final Jedis jedis;
    private final String stream;
    private final Thread thread;
    private final AtomicLong count = new AtomicLong();
    private volatile Histogram histogram = newHistogram();
    private volatile boolean running = true;

    StreamReader(int port, String stream) {
        this.jedis = new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .timeoutMillis(5000).build());
        this.stream = stream;
        this.thread = new Thread(this::run, "bench-stream-reader-" + stream);
        thread.setDaemon(true);
        thread.start();
    }

    static Histogram newHistogram() {
        return new Histogram(3_600_000_000_000L, 3); // up to one hour in ns, 3 significant digits
    }

    private void run() {
        StreamEntryID last = new StreamEntryID(0, 0);
        XReadParams params = XReadParams.xReadParams().block(200).count(5000);
        while (running) {
            List<Map.Entry<String, List<StreamEntry>>> answer;
            try {
                answer = jedis.xread(params, Map.of(stream, last));
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                throw e;
            }
            long now = System.nanoTime();
            if (answer == null) {
                continue;
            }
            Histogram h = histogram;
            for (Map.Entry<String, List<StreamEntry>> s : answer) {
                for (StreamEntry e : s.getValue()) {
                    last = e.getID();
                    String mono = e.getFields().get("monotonic_ns");
                    if (mono != null) {
                        long latency = now - Long.parseLong(mono);
                        synchronized (this) {
                            h.recordValue(Math.max(0, Math.min(latency, h.getHighestTrackableValue())));
                        }
                    }
                    count.incrementAndGet();
                }
            }
        }
    }

    long count() {
        return count.get();
    }

    /** Starts a new histogram and returns the previous one. */
    synchronized Histogram swap() {
        Histogram h = histogram;
        histogram = newHistogram();
        return h;
    }

    /** Waits until {@code expected} entries were read, or none arrived for {@code quietMillis}; returns the count. */
    long awaitCount(long expected, long quietMillis, long maxMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + maxMillis;
        long seen = count();
        long lastChange = System.currentTimeMillis();
        while (count() < expected && System.currentTimeMillis() < deadline
                && System.currentTimeMillis() - lastChange < quietMillis) {
            Thread.sleep(10);
            long c = count();
            if (c != seen) {
                seen = c;
                lastChange = System.currentTimeMillis();
            }
        }
        return count();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
        jedis.close();
    }
}
