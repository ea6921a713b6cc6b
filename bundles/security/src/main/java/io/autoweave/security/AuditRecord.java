package io.autoweave.security;

import java.time.Instant;

/**
 * One security decision, as persisted (one JSON object per line in {@code DATA/security/audit.jsonl}).
 *
 * @param time when it was decided
 * @param decision what was decided: {@code install-accepted}, {@code install-refused}, {@code uninstalled},
 *        {@code denied}, {@code warned}, {@code blocked}, {@code unblocked}, {@code start-refused},
 *        {@code lockdown-on}, {@code lockdown-off}, {@code resource-limit}
 * @param subject whom it is about: a plugin symbolic name, location or source file
 * @param rule the policy row or escalation rule that decided, e.g. {@code plugins-deny-dangerous},
 *        {@code install-gate:UNSIGNED}, {@code critical-violation:high}, {@code lockdown-after-blocks:3}, {@code operator}
 * @param detail free text for people
 */
public record AuditRecord(Instant time, String decision, String subject, String rule, String detail) {
}
