package io.autoweave.redis.internal;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A real redis-server child process on a free loopback port, with its own data directory, AOF on and fsynced on
 * every write (so what Redis acknowledged survives kill -9). Never the system instance, never a non-loopback bind.
 */
final class RedisServer implements Closeable {
    static final String HOST = "127.0.0.1";

    final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;

    private RedisServer(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    /** A server on a free port, not yet started. */
    static RedisServer onFreePort(Path dir, String... extraArgs) throws IOException {
        return new RedisServer(freePort(), dir, List.of(extraArgs));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    HostAndPort address() {
        return new HostAndPort(HOST, port);
    }

    RedisServer start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of("redis-server",
                "--port", Integer.toString(port), "--bind", HOST, "--protected-mode", "yes",
                "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString(),
                "--daemonize", "no", "--save", "",
                "--appendonly", "yes", "--appendfsync", "always"));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.stdout").toFile()).start();
        Await.until(Duration.ofSeconds(15), this::answersPing, "redis-server on port " + port + " to answer PING");
        return this;
    }

    private boolean answersPing() {
        if (!process.isAlive()) {
            throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + dir);
        }
        try (Jedis j = client()) {
            return "PONG".equals(j.ping());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A fresh plain connection for test assertions. */
    Jedis client() {
        return new Jedis(address(), DefaultJedisClientConfig.builder().timeoutMillis(5000).build());
    }

    /** SIGKILL, no shutdown hooks, no final AOF rewrite. */
    void kill9() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("redis-server did not die");
            }
        }
    }

    @Override
    public void close() {
        try {
            kill9();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
