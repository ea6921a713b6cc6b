package io.autoweave.security;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Watches plugins: every permission denial inside plugin code becomes a {@link Violation}; per-level escalation
 * rules block a plugin (stopped, kept from resolving, remembered across restarts) and, after enough blocks, lock the
 * system down (no installs, no plugin runs). Every decision is appended to the audit log.
 */
@ProviderType
public interface SecurityMonitor {

    /** Violations recorded since the runtime started, oldest first; {@code plugin} null for all. */
    List<Violation> violations(String plugin);

    /**
     * Blocks a plugin by symbolic name: stops it and keeps it from resolving until {@link #unblock}.
     *
     * @throws IllegalArgumentException when {@code plugin} is not a bundle symbolic name (nothing is written)
     */
    void block(String plugin, String reason, String rule);

    /** Lifts a block; the plugin stays stopped. Returns false if it was not blocked. */
    boolean unblock(String plugin, String reason);

    boolean isBlocked(String plugin);

    /** Blocked plugins (symbolic name → reason). */
    Map<String, String> blocked();

    boolean isLockdown();

    /**
     * Switches lockdown on (every plugin stopped, installs refused) or off (plugins that were running start again,
     * except blocked ones).
     */
    void setLockdown(boolean on, String reason, String rule);

    /** Appends one decision to the audit log (fsync'd before return). */
    void audit(String decision, String subject, String rule, String detail);

    /**
     * The audit log, oldest first, filtered: {@code null} or empty for all; otherwise whitespace-separated terms,
     * each {@code key=value} (key one of time, decision, subject, rule, detail; value a case-insensitive substring)
     * or plain text matched anywhere. All terms must match.
     *
     * @param limit at most this many records, the newest ones
     */
    List<AuditRecord> audit(String filter, int limit);

    /**
     * Records a breach of a resource limit found by the resource enforcer (kind {@code cpu}, {@code alloc},
     * {@code threads}, {@code call-timeout}, {@code unresponsive}, {@code queue}, {@code heap}) as a {@link Violation}
     * whose permission reads {@code (resource "KIND" "DETAIL")}; audited (decision {@code resource-limit}) and
     * published like a denial. It does not count towards the escalation of permission denials: the enforcer applies
     * the per-level action itself (and calls {@link #block} at high level).
     *
     * @param location the plugin's bundle location
     * @param rule the limit and action that decided, e.g. {@code resource:cpu:medium:throttle}
     * @since 1.1
     */
    void resourceViolation(String location, String kind, String detail, String rule);

    /**
     * The live threads a plugin started itself: the thread group every thread created with the plugin's code on
     * the stack lands in. Empty when it started none (or framework security is off).
     *
     * @since 1.1
     */
    List<Thread> pluginThreads(String location);
}
