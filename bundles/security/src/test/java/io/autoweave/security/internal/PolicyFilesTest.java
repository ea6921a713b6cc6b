package io.autoweave.security.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The policy directory reader: rows with file and line, errors with file and line, the level filter of aw:policy. */
public class PolicyFilesTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void rowsCarryTheirFileAndStartLineAndFilesAreReadInNameOrder() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Files.writeString(dir.resolve("50-b.policy"), "# comment\n\nALLOW {\n  [C \"plugin:low/*\"]\n"
                + "  (P \"${autoweave.data}/x\" \"read\") // trailing\n} \"b-row\"\n");
        Files.writeString(dir.resolve("10-a.policy"), "DENY { (java.security.AllPermission) } \"a-row\"\n");
        Files.writeString(dir.resolve("notes.txt"), "ignored {");
        List<PolicyFiles.Row> rows = PolicyFiles.read(dir, "/data");
        assertEquals(2, rows.size());
        assertEquals("10-a.policy:1", rows.get(0).origin());
        assertEquals("50-b.policy:3", rows.get(1).origin());
        assertTrue(rows.get(1).encoded(), rows.get(1).encoded().contains("\"/data/x\"")
                && rows.get(1).encoded().endsWith("\"b-row\""));
    }

    @Test
    public void brokenFilesAndAnEmptyDirectoryAreErrorsNamingFileAndLine() throws Exception {
        Path dir = tmp.getRoot().toPath();
        Files.writeString(dir.resolve("a.policy"), "ALLOW {\n (P \"x\" \"read\")\n\n");
        try {
            PolicyFiles.read(dir, null);
            fail();
        } catch (PolicyFiles.PolicyException e) {
            assertEquals(dir.resolve("a.policy") + ": row starting at line 1 is not closed with '}'", e.getMessage());
            assertEquals(dir.resolve("a.policy"), e.file());
        }
        Files.writeString(dir.resolve("a.policy"), "\n\n}\n");
        try {
            PolicyFiles.read(dir, null);
            fail();
        } catch (PolicyFiles.PolicyException e) {
            assertEquals(dir.resolve("a.policy") + " line 3: '}' without '{'", e.getMessage());
        }
        Files.delete(dir.resolve("a.policy"));
        try {
            PolicyFiles.read(dir, null);
            fail();
        } catch (PolicyFiles.PolicyException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("has no rows"));
        }
    }

    @Test
    public void theLevelFilterKeepsRowsThatCanApplyToThatLevel() {
        assertEquals("core", PolicyManager.scope(List.of("autoweave:core/*")));
        assertEquals("medium", PolicyManager.scope(List.of("plugin:medium/*")));
        assertEquals("plugins", PolicyManager.scope(List.of("plugin:*")));
        assertEquals("all", PolicyManager.scope(List.of()));
        assertTrue(applies(List.of("plugin:*"), "high"));
        assertTrue(applies(List.of("plugin:medium/*"), "medium"));
        assertTrue(applies(List.of("plugin:medium/one.plugin"), "medium"));
        assertTrue(applies(List.of(), "low"));
        assertFalse(applies(List.of("plugin:medium/*"), "low"));
        assertFalse(applies(List.of("autoweave:core/*"), "low"));
    }

    private static boolean applies(List<String> locations, String level) {
        return PolicyManager.appliesTo(new PolicyManager.RowView(1, "ALLOW", "r", "", "", "", locations), level);
    }
}
