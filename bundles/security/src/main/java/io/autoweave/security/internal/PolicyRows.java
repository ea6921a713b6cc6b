package io.autoweave.security.internal;

import java.lang.reflect.Constructor;
import java.security.Permission;

import org.osgi.framework.Bundle;
import org.osgi.service.condpermadmin.BundleLocationCondition;
import org.osgi.service.condpermadmin.Condition;
import org.osgi.service.condpermadmin.ConditionInfo;
import org.osgi.service.condpermadmin.ConditionalPermissionAdmin;
import org.osgi.service.condpermadmin.ConditionalPermissionInfo;
import org.osgi.service.permissionadmin.PermissionInfo;

/**
 * Names the ConditionalPermissionAdmin row that decided a denial: the first row (table order, as the framework
 * evaluates) whose conditions hold for the bundle and whose permissions imply the denied one. A DENY row names
 * itself; when the first such row is an ALLOW, the bundle's own {@code OSGI-INF/permissions.perm} narrowed it.
 * Only {@link BundleLocationCondition} is evaluated (the only condition our policy uses); rows with other conditions
 * are skipped.
 */
final class PolicyRows {
    static final String LOCAL_PERMISSIONS = "local-permissions:OSGI-INF/permissions.perm";

    private PolicyRows() {
    }

    static String decidingRow(ConditionalPermissionAdmin cpa, Bundle bundle, Permission denied) {
        if (cpa == null || bundle == null) {
            return "unknown-policy-row";
        }
        for (ConditionalPermissionInfo row : cpa.newConditionalPermissionUpdate().getConditionalPermissionInfos()) {
            if (holds(row.getConditionInfos(), bundle) && implies(row.getPermissionInfos(), denied)) {
                return ConditionalPermissionInfo.DENY.equals(row.getAccessDecision()) ? row.getName()
                        : LOCAL_PERMISSIONS;
            }
        }
        return "no-allow-row";
    }

    private static boolean holds(ConditionInfo[] conditions, Bundle bundle) {
        for (ConditionInfo c : conditions) {
            if (!BundleLocationCondition.class.getName().equals(c.getType())
                    || BundleLocationCondition.getCondition(bundle, c) != Condition.TRUE) {
                return false;
            }
        }
        return true;
    }

    private static boolean implies(PermissionInfo[] granted, Permission denied) {
        for (PermissionInfo p : granted) {
            if (p.getType().equals("java.security.AllPermission")) {
                return true;
            }
            if (!p.getType().equals(denied.getClass().getName())) {
                continue; // a row permission of another type cannot imply this one
            }
            try {
                Permission row;
                try {
                    Constructor<? extends Permission> c = denied.getClass().getConstructor(String.class, String.class);
                    row = c.newInstance(p.getName(), p.getActions());
                } catch (NoSuchMethodException e) {
                    row = denied.getClass().getConstructor(String.class).newInstance(p.getName());
                }
                if (row.implies(denied)) {
                    return true;
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // a row we cannot rebuild does not decide
            }
        }
        return false;
    }
}
