package io.autoweave.commons.policy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;

import org.junit.Test;

public class PolicyTextTest {

    @Test
    public void rowsSpanLinesCommentsGoAndTheDataDirExpands() throws Exception {
        List<PolicyText.Row> rows = PolicyText.parse("# header\nALLOW {\n  [cond \"a\"]  // why\n"
                + "  (java.io.FilePermission \"${autoweave.data}/x\" \"read\") # ok\n} \"one\"\n\nDENY { (p \"#not\") }\n",
                "10-x.policy", "/data");
        assertEquals(2, rows.size());
        assertEquals("ALLOW { [cond \"a\"] (java.io.FilePermission \"/data/x\" \"read\") } \"one\"",
                rows.get(0).encoded().replaceAll("\\s+", " "));
        assertEquals("10-x.policy line 2", rows.get(0).where());
        assertEquals("DENY { (p \"#not\") }", rows.get(1).encoded());
        assertEquals(7, rows.get(1).line());
    }

    @Test
    public void unbalancedRowsNameTheLine() {
        assertEquals("a.policy line 3: '}' without '{'", assertThrows(PolicyText.SyntaxException.class,
                () -> PolicyText.parse("ALLOW { }\n\n}\n", "a.policy", null)).getMessage());
        assertEquals("a.policy: row starting at line 2 is not closed with '}'", assertThrows(
                PolicyText.SyntaxException.class, () -> PolicyText.parse("\nALLOW {\n", "a.policy", null))
                .getMessage());
    }
}
