package io.autoweave.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.rules.ExternalResource;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A real redis-server on a free loopback port, no persistence, for one test class (a {@code @ClassRule}); it can be
 * frozen and continued with signals, and is continued and stopped at the end.
 */
final class RedisProcess extends ExternalResource {
    final int port;
    private Process process;
    private Path dir;

    RedisProcess() {
        try {
            this.port = RuntimeHarness.freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void before() throws Throwable {
        dir = Files.createTempDirectory("autoweave-itest-redis");
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--protected-mode", "yes", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                "--logfile", dir.resolve("redis.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.stdout").toFile()).start();
        RuntimeHarness.await("redis-server on " + port, 15, () -> {
            try (Jedis j = jedis()) {
                return "PONG".equals(j.ping());
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    Jedis jedis() {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder().timeoutMillis(5000).build());
    }

    /** Sends {@code signal} (STOP, CONT, ...) to the server process. */
    void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals("kill -" + signal, 0, kill.exitValue());
    }

    @Override
    protected void after() {
        try {
            signal("CONT");
        } catch (Throwable e) {
            // it may be gone already
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
            RuntimeHarness.deleteTree(dir);
        } catch (InterruptedException | IOException e) {
            Thread.currentThread().interrupt();
        }
    }
}
