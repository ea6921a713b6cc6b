package io.autoweave.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the launcher needs to start one runtime: where state lives, where HTTP listens, which policy and
 * which extra framework properties apply. Built from command-line options, environment and system properties
 * (in that order of precedence) by {@link #parse}; tests build it directly.
 */
public final class LaunchConfig {

    /** Default HTTP port when nothing else is configured. */
    public static final int DEFAULT_HTTP_PORT = 8080;

    final Path dataDir;
    final String httpHost;
    final int httpPort;
    final Path policyDir;
    final boolean interactiveShell;
    final long readyTimeoutMillis;
    final Map<String, String> extraProperties;

    private LaunchConfig(Builder b) {
        this.dataDir = b.dataDir.toAbsolutePath().normalize();
        this.httpHost = b.httpHost;
        this.httpPort = b.httpPort;
        this.policyDir = b.policyDir == null ? null : b.policyDir.toAbsolutePath().normalize();
        this.interactiveShell = b.interactiveShell;
        this.readyTimeoutMillis = b.readyTimeoutMillis;
        this.extraProperties = Collections.unmodifiableMap(new LinkedHashMap<>(b.extraProperties));
    }

    public Path dataDir() {
        return dataDir;
    }

    public String httpHost() {
        return httpHost;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Base URL of the HTTP service, e.g. {@code http://127.0.0.1:8080}. */
    public String baseUrl() {
        String host = httpHost.contains(":") ? "[" + httpHost + "]" : httpHost;
        if ("0.0.0.0".equals(httpHost) || "::".equals(httpHost)) {
            host = "127.0.0.1";
        }
        return "http://" + host + ":" + httpPort;
    }

    /** The administrator password to set at this start (the auth bundle hashes and stores it). */
    static final String ADMIN_PASSWORD_ENV = "AUTOWEAVE_ADMIN_PASSWORD";
    /** Its shortest length, as the auth bundle requires it. */
    static final int MIN_ADMIN_PASSWORD = 12;

    public static Builder builder() {
        return new Builder();
    }

    /** Usage text for {@code --help} and for errors in options. */
    static String usage() {
        return String.join(System.lineSeparator(),
                "usage: java -jar autoweave.jar [options]",
                "  --data DIR          state directory (bundle cache, configuration, credentials); env AUTOWEAVE_DATA;",
                "                      default ./autoweave-data",
                "  --http-port PORT    HTTP port for the Web Console, API and health; env AUTOWEAVE_HTTP_PORT; default 8080",
                "  --http-host HOST    address to bind; env AUTOWEAVE_HTTP_HOST; default 127.0.0.1 (loopback only)",
                "  --policies DIR      ConditionalPermissionAdmin policy directory, reloaded when a file changes;",
                "                      env AUTOWEAVE_POLICIES; default: the policy built into the jar (fixed)",
                "  --no-shell          do not start the interactive Gogo shell even on a terminal",
                "  -Dkey=value         extra framework property (may repeat)",
                "  --help              this text");
    }

    /**
     * Parses command-line arguments over the environment.
     *
     * @throws IllegalArgumentException with a message naming the bad option and what to write instead
     */
    public static LaunchConfig parse(String[] args, Map<String, String> env, boolean console) {
        Builder b = builder();
        b.interactiveShell = console;
        if (env.get("AUTOWEAVE_DATA") != null) {
            b.dataDir(Path.of(env.get("AUTOWEAVE_DATA")));
        }
        if (env.get("AUTOWEAVE_HTTP_PORT") != null) {
            b.httpPort(parsePort(env.get("AUTOWEAVE_HTTP_PORT"), "AUTOWEAVE_HTTP_PORT"));
        }
        if (env.get("AUTOWEAVE_HTTP_HOST") != null) {
            b.httpHost(env.get("AUTOWEAVE_HTTP_HOST"));
        }
        if (env.get("AUTOWEAVE_POLICIES") != null) {
            b.policyDir(Path.of(env.get("AUTOWEAVE_POLICIES")));
        }
        String password = env.get(ADMIN_PASSWORD_ENV);
        if (password != null && !password.isEmpty() && password.length() < MIN_ADMIN_PASSWORD) {
            // refused here, before anything starts: the auth bundle would otherwise have no password to check
            throw new IllegalArgumentException(ADMIN_PASSWORD_ENV + " must be at least " + MIN_ADMIN_PASSWORD
                    + " characters long (it has " + password.length() + "): choose a longer one, or unset it to keep "
                    + "the stored password");
        }
        List<String> rest = new ArrayList<>(List.of(args));
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            switch (a) {
                case "--data": b.dataDir(Path.of(value(rest, ++i, a))); break;
                case "--http-port": b.httpPort(parsePort(value(rest, ++i, a), a)); break;
                case "--http-host": b.httpHost(value(rest, ++i, a)); break;
                case "--policies": b.policyDir(Path.of(value(rest, ++i, a))); break;
                case "--no-shell": b.interactiveShell = false; break;
                default:
                    if (a.startsWith("-D") && a.indexOf('=') > 2) {
                        b.property(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
                    } else {
                        throw new IllegalArgumentException("unknown option '" + a + "'");
                    }
            }
        }
        if (b.policyDir != null && !Files.isDirectory(b.policyDir)) {
            throw new IllegalArgumentException("policy directory " + b.policyDir + " does not exist");
        }
        return b.build();
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException("option " + option + " needs a value");
        }
        return args.get(i);
    }

    static int parsePort(String text, String what) {
        try {
            int port = Integer.parseInt(text.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException(what + " must be a port number 1..65535, not '" + text + "'");
    }

    /** Builder; every value has a working default. */
    public static final class Builder {
        Path dataDir = Path.of("autoweave-data");
        String httpHost = "127.0.0.1";
        int httpPort = DEFAULT_HTTP_PORT;
        Path policyDir;
        boolean interactiveShell;
        long readyTimeoutMillis = 120_000;
        final Map<String, String> extraProperties = new LinkedHashMap<>();

        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir);
            return this;
        }

        public Builder httpHost(String host) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("HTTP host must not be empty");
            }
            this.httpHost = host.trim();
            return this;
        }

        public Builder httpPort(int port) {
            this.httpPort = port;
            return this;
        }

        public Builder policyDir(Path dir) {
            this.policyDir = dir;
            return this;
        }

        public Builder interactiveShell(boolean on) {
            this.interactiveShell = on;
            return this;
        }

        public Builder readyTimeoutMillis(long millis) {
            this.readyTimeoutMillis = millis;
            return this;
        }

        /** An extra framework property, visible to bundles through {@code BundleContext.getProperty}. */
        public Builder property(String key, String value) {
            extraProperties.put(key, value);
            return this;
        }

        public LaunchConfig build() {
            return new LaunchConfig(this);
        }
    }
}
