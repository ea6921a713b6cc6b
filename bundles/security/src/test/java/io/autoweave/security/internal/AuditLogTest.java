package io.autoweave.security.internal;

import static org.junit.Assert.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.autoweave.security.AuditRecord;

public class AuditLogTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void recordsAreAppendedOnePerLineAndFilteredByFieldOrText() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("security/audit.jsonl");
        try (AuditLog log = new AuditLog(file)) {
            log.append(new AuditRecord(Instant.parse("2026-01-01T00:00:00Z"), "denied", "a.plugin",
                    "deny-everything-else", "(java.io.FilePermission \"/etc/passwd\" \"read\")\nat x"));
            log.append(new AuditRecord(Instant.parse("2026-01-01T00:00:01Z"), "blocked", "a.plugin",
                    "critical-violation:high", "exit"));
            log.append(new AuditRecord(Instant.parse("2026-01-01T00:00:02Z"), "install-accepted", "b.plugin",
                    "install-gate:ACCEPTED", "ok"));
        }
        assertEquals(3, Files.readAllLines(file).size());
        try (AuditLog log = new AuditLog(file)) { // reopened: appends, never truncates
            log.append(new AuditRecord(Instant.parse("2026-01-01T00:00:03Z"), "unblocked", "a.plugin", "operator", ""));
            assertEquals(4, log.query(null, 100).size());
            assertEquals(List.of("denied", "blocked", "unblocked"),
                    log.query("subject=a.plugin", 100).stream().map(AuditRecord::decision).toList());
            assertEquals("/etc/passwd survives escaping", 1, log.query("/etc/passwd", 100).size());
            assertEquals(1, log.query("decision=blocked rule=critical", 100).size());
            assertEquals("the newest", "unblocked", log.query("", 1).get(0).decision());
        }
    }

    @Test
    public void aTornLastLineIsSkipped() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("audit.jsonl");
        try (AuditLog log = new AuditLog(file)) {
            log.append(new AuditRecord(Instant.now(), "denied", "p", "r", "d"));
        }
        Files.writeString(file, "{\"time\":\"2026-01-01T00:00:00Z\",\"deci", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        try (AuditLog log = new AuditLog(file)) {
            assertEquals(1, log.query(null, 10).size());
        }
    }

    @Test
    public void jsonRoundTripsControlCharactersAndQuotes() {
        Map<String, String> m = Map.of("k", "a\"b\\c\nd\u0001e");
        assertEquals(m, Json.parse(Json.object(m)));
    }
}
