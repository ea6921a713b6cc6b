package io.autoweave.api.security;

import java.security.Permission;
import java.security.PermissionCollection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A homogeneous set of {@link UsbPermission}s. A permission is implied when the actions of the held permissions
 * whose filters cover it add up to the asked actions: {@code monitor} on {@code *} plus {@code read} on
 * {@code class=03} implies {@code monitor,read} on a HID device.
 */
final class UsbPermissionCollection extends PermissionCollection {
    private static final long serialVersionUID = 1L;

    private final List<UsbPermission> permissions = new ArrayList<>();

    @Override
    public void add(Permission permission) {
        if (!(permission instanceof UsbPermission)) {
            throw new IllegalArgumentException("not a UsbPermission: " + permission);
        }
        if (isReadOnly()) {
            throw new SecurityException("this UsbPermission collection is read-only");
        }
        synchronized (permissions) {
            permissions.add((UsbPermission) permission);
        }
    }

    @Override
    public boolean implies(Permission permission) {
        if (!(permission instanceof UsbPermission)) {
            return false;
        }
        UsbPermission wanted = (UsbPermission) permission;
        int granted = 0;
        synchronized (permissions) {
            for (UsbPermission p : permissions) {
                if (p.covers(wanted)) {
                    granted |= p.mask();
                    if ((granted & wanted.mask()) == wanted.mask()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    @Override
    public Enumeration<Permission> elements() {
        synchronized (permissions) {
            return Collections.enumeration(new ArrayList<Permission>(permissions));
        }
    }
}
