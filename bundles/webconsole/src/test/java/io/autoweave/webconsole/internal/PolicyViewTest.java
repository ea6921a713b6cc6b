package io.autoweave.webconsole.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.osgi.service.condpermadmin.ConditionInfo;

public class PolicyViewTest {

    private static ConditionInfo location(String... args) {
        return new ConditionInfo("org.osgi.service.condpermadmin.BundleLocationCondition", args);
    }

    @Test
    public void locationPatternsUseStarAsWildcardAndNothingElse() {
        assertTrue(PolicyView.matches("plugin:*", "plugin:low/a.b"));
        assertTrue(PolicyView.matches("plugin:low/*", "plugin:low/a.b"));
        assertFalse(PolicyView.matches("plugin:low/*", "plugin:high/a.b"));
        assertFalse("regex characters are literal", PolicyView.matches("plugin:l.w/*", "plugin:low/a"));
        assertTrue(PolicyView.matches("autoweave:core/*", "autoweave:core/any"));
    }

    @Test
    public void rowsApplyWhenEveryConditionHoldsNegationIncluded() {
        assertEquals(Boolean.TRUE, PolicyView.applies(new ConditionInfo[] { location("plugin:*") }, "plugin:low/x"));
        assertEquals(Boolean.FALSE, PolicyView.applies(new ConditionInfo[] { location("plugin:*", "!") },
                "plugin:low/x"));
        assertEquals(Boolean.TRUE, PolicyView.applies(new ConditionInfo[0], "plugin:low/x"));
        assertNull("other conditions are not decided here", PolicyView.applies(new ConditionInfo[] {
                new ConditionInfo("org.osgi.service.condpermadmin.BundleSignerCondition", new String[] { "CN=x" }) },
                "plugin:low/x"));
    }
}
