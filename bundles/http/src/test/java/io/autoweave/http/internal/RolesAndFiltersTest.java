package io.autoweave.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.Test;

import io.autoweave.api.device.UsbDevice;

public class RolesAndFiltersTest {

    @Test
    public void pluginInstallUninstallBlockAndUnblockNeedAdminStartAndStopOperatorReadsViewer() {
        assertEquals(Role.VIEWER, ApiSecurityContext.required("GET", "/api/v1/plugins"));
        assertEquals("even listing tokens is for admins", Role.ADMIN, ApiSecurityContext.required("GET", "/api/v1/tokens"));
        assertEquals(Role.ADMIN, ApiSecurityContext.required("POST", "/api/v1/tokens"));
        assertEquals(Role.ADMIN, ApiSecurityContext.required("DELETE", "/api/v1/tokens/grafana"));
        assertEquals(Role.VIEWER, ApiSecurityContext.required("GET", "/api/v1/tokensx"));
        assertEquals(Role.VIEWER, ApiSecurityContext.required("GET", "/api/v1/plugins/x.y/block"));
        assertEquals(Role.ADMIN, ApiSecurityContext.required("POST", "/api/v1/plugins"));
        assertEquals(Role.ADMIN, ApiSecurityContext.required("POST", "/api/v1/plugins/"));
        assertEquals(Role.ADMIN, ApiSecurityContext.required("DELETE", "/api/v1/plugins/x.y"));
        assertEquals(Role.ADMIN, ApiSecurityContext.required("POST", "/api/v1/plugins/x.y/block"));
        assertEquals(Role.ADMIN, ApiSecurityContext.required("POST", "/api/v1/plugins/x.y/unblock"));
        assertEquals(Role.OPERATOR, ApiSecurityContext.required("POST", "/api/v1/plugins/x.y/start"));
        assertEquals(Role.OPERATOR, ApiSecurityContext.required("POST", "/api/v1/plugins/x.y/stop"));
        assertEquals(Role.OPERATOR, ApiSecurityContext.required("POST", "/api/v1/status"));
        assertEquals(Role.ADMIN, ApiSecurityContext.required("GET", "/api/v1/admin/x"));
    }

    private static final UsbDevice HID = new UsbDevice(0x046d, 0xc52b, null, null, null, 0, 0, 0, List.of(3, 3), 0,
            1, 2, "1-2", null);
    private static final UsbDevice HUB = new UsbDevice(0x1d6b, 0x0002, null, null, null, 9, 0, 0, List.of(9), 0,
            1, 1, "1", null);

    @Test
    public void deviceFiltersMatchVendorProductAndDeviceOrInterfaceClassInHex() {
        Predicate<UsbDevice> f = DevicesServlet.filter("046d", null, null);
        assertTrue(f.test(HID));
        assertFalse(f.test(HUB));
        assertTrue(DevicesServlet.filter("0x046D", "C52B", "3").test(HID));
        assertTrue(DevicesServlet.filter(null, null, "09").test(HUB));
        assertFalse(DevicesServlet.filter(null, null, "09").test(HID));
        assertTrue(DevicesServlet.filter(null, null, null).test(HUB));
    }

    @Test
    public void aMalformedFilterValueIsA400NamingTheParameterAndTheForm() {
        for (String[] bad : new String[][] { { "zzzz", null, null }, { "12345", null, null }, { null, "", null },
                { null, null, "103" } }) {
            try {
                DevicesServlet.filter(bad[0], bad[1], bad[2]);
                fail("accepted " + String.join(",", String.valueOf(bad[0]), String.valueOf(bad[1]),
                        String.valueOf(bad[2])));
            } catch (ApiException e) {
                assertEquals(400, e.status);
                assertTrue(e.getMessage(), e.getMessage().matches("(vendor|product|class) must be 1 to [24] hex "
                        + "digits, e\\.g\\. .*"));
            }
        }
    }
}
