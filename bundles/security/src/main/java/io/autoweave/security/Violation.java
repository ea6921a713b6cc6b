package io.autoweave.security;

import java.time.Instant;

import io.autoweave.api.plugin.SecurityLevel;

/**
 * One permission denial inside a plugin's code.
 *
 * @param time when the permission check failed
 * @param plugin the plugin's symbolic name
 * @param location the plugin's bundle location ({@code plugin:<level>/<symbolic-name>})
 * @param level the plugin's security level
 * @param permission the denied permission in policy form: {@code (type "name" "actions")}
 * @param critical whether it belongs to the critical set (exit, security manager, reflection, native code,
 *        processes, framework administration), which blocks at once on medium and high
 * @param rule the policy row (or other rule, e.g. {@code thread-limit}) that decided the denial
 * @param stack the innermost frames of the denied call, plugin frame first, at most a few
 * @param repeats how many identical denials (same plugin, same permission) this record stands for
 */
public record Violation(Instant time, String plugin, String location, SecurityLevel level, String permission,
        boolean critical, String rule, String stack, int repeats) {
}
