package io.autoweave.commons.config;

import java.time.Instant;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Whiteboard service: the state of one component's configuration. Registered by {@link LastGoodConfig} for as long as
 * its component is active; {@code /metrics}, {@code aw:health} and {@code /api/v1/status} show every one.
 */
@ProviderType
public interface ConfigurationStatus {

    /** Service property carrying {@link #pid()}. */
    String PID_PROPERTY = "autoweave.config.pid";

    /** A refused configuration: what was wrong, and what runs instead ({@code previous configuration} or {@code defaults}). */
    record Refusal(Instant time, String key, String value, String reason, String inForce) {
    }

    /** The configuration PID. */
    String pid();

    /** Configurations refused since the component started. */
    long refusals();

    /**
     * The last refusal when the configuration last offered was refused (the one in force is then older, or the
     * defaults); null when the configuration in force is the one last offered.
     */
    Refusal error();
}
