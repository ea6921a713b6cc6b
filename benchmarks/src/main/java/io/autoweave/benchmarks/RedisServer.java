package io.autoweave.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** A redis-server of our own on a free loopback port, no persistence, in a temp dir; stopped by {@link #close()}. */
final class RedisServer implements AutoCloseable {
    final int port;
    private final Process process;

    RedisServer(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        port = Ports.free();
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--protected-mode", "yes", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                "--logfile", dir.resolve("redis.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.stdout").toFile()).start();
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) {
            try (Jedis j = jedis()) {
                if ("PONG".equals(j.ping())) {
                    return;
                }
            } catch (RuntimeException e) {
                if (System.currentTimeMillis() > deadline || !process.isAlive()) {
                    close();
                    throw new IOException("redis-server did not start on port " + port + " (see " + dir + ")", e);
                }
                Thread.sleep(50);
            }
        }
    }

    Jedis jedis() {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().timeoutMillis(10_000)
                .build());
    }

    static String version() {
        try {
            Process p = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            Matcher m = Pattern.compile("v=(\\S+)").matcher(v);
            return m.find() ? m.group(1) : v;
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    private static final Pattern RPS = Pattern.compile("([0-9.]+) requests per second");

    /**
     * redis-benchmark XADD of an entry shaped like the runtime's ({@link Workload#sampleFields}) to a stream of its
     * own, {@code requests} requests, 50 clients (its default), pipeline depth {@code pipeline}. Returns requests/s.
     */
    double benchmarkXadd(int requests, int pipeline) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-n", Integer.toString(requests), "-P", Integer.toString(pipeline), "-q", "XADD",
                "aw:redis-benchmark:P" + pipeline, "*"));
        for (Map.Entry<String, String> f : Workload.sampleFields(0).entrySet()) {
            cmd.add(f.getKey());
            cmd.add(f.getValue());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("redis-benchmark did not finish");
        }
        Matcher m = RPS.matcher(out.substring(Math.max(0, out.lastIndexOf('\r') + 1)));
        if (!m.find()) {
            m = RPS.matcher(out);
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            if (last == null) {
                throw new IOException("no requests per second in redis-benchmark output: " + out);
            }
            return Double.parseDouble(last);
        }
        return Double.parseDouble(m.group(1));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
