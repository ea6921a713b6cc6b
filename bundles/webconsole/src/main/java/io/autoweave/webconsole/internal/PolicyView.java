package io.autoweave.webconsole.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.service.condpermadmin.BundleLocationCondition;
import org.osgi.service.condpermadmin.ConditionInfo;
import org.osgi.service.condpermadmin.ConditionalPermissionAdmin;
import org.osgi.service.condpermadmin.ConditionalPermissionInfo;

/**
 * Reads the ConditionalPermissionAdmin table for people: which rows apply to a bundle location. Only
 * {@link BundleLocationCondition} is understood (the only condition the AutoWeave policy uses); a row with another
 * condition is shown as "may apply".
 */
final class PolicyView {
    private PolicyView() {
    }

    /** Whether a row's conditions can hold for {@code location}: true, false, or null when undecidable here. */
    static Boolean applies(ConditionInfo[] conditions, String location) {
        for (ConditionInfo c : conditions) {
            if (!BundleLocationCondition.class.getName().equals(c.getType())) {
                return null;
            }
            String[] args = c.getArgs();
            boolean match = args.length > 0 && matches(args[0], location);
            if (args.length > 1 && "!".equals(args[1])) {
                match = !match;
            }
            if (!match) {
                return false;
            }
        }
        return true;
    }

    /** The location pattern of BundleLocationCondition: {@code *} matches any run of characters. */
    static boolean matches(String pattern, String location) {
        String regex = "\\Q" + pattern.replace("\\E", "\\E\\\\E\\Q").replace("*", "\\E.*\\Q") + "\\E";
        return location.matches(regex);
    }

    /** Names of the rows that apply to {@code location}, in table order (the order the framework decides in). */
    static List<String> rowNamesFor(ConditionalPermissionAdmin cpa, String location) {
        List<String> names = new ArrayList<>();
        for (ConditionalPermissionInfo row : cpa.newConditionalPermissionUpdate().getConditionalPermissionInfos()) {
            Boolean a = applies(row.getConditionInfos(), location);
            if (a == null || a) {
                names.add(row.getName() + (ConditionalPermissionInfo.DENY.equals(row.getAccessDecision()) ? " (deny)"
                        : "") + (a == null ? " (may apply)" : ""));
            }
        }
        return names;
    }

    /** The bundle's own {@code OSGI-INF/permissions.perm}, without comments, or null when it has none. */
    static String localPermissions(Bundle bundle) {
        URL entry = bundle.getEntry("OSGI-INF/permissions.perm");
        if (entry == null) {
            return null;
        }
        try (InputStream in = entry.openStream()) {
            StringBuilder b = new StringBuilder();
            for (String line : new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).split("\\R")) {
                String t = line.trim();
                if (!t.isEmpty() && !t.startsWith("#") && !t.startsWith("//")) {
                    b.append(t).append('\n');
                }
            }
            return b.toString();
        } catch (IOException e) {
            return "(cannot read: " + e.getMessage() + ")";
        }
    }
}
