package io.autoweave.commons.data;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.osgi.framework.BundleContext;

public class DataDirectoryTest {

    private static BundleContext withProperties(Map<String, String> properties) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] { BundleContext.class }, (proxy, method, args) -> {
                    if (method.getName().equals("getProperty")) {
                        return properties.get((String) args[0]);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    public void theLaunchersPropertyNamesTheDirectory() {
        BundleContext ctx = withProperties(Map.of("autoweave.data", "/var/lib/autoweave"));
        assertEquals(Path.of("/var/lib/autoweave"), DataDirectory.require(ctx));
        assertEquals(Optional.of(Path.of("/var/lib/autoweave")), DataDirectory.find(ctx));
        assertEquals(Path.of("/var/lib/autoweave"), DataDirectory.orElse(ctx, Path.of("elsewhere")));
    }

    @Test
    public void withoutItAComponentThatNeedsItSaysWhatToDo() {
        for (BundleContext ctx : new BundleContext[] { withProperties(Map.of()),
                withProperties(Map.of("autoweave.data", "  ")), null }) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataDirectory.require(ctx));
            assertTrue(e.getMessage(), e.getMessage().contains("autoweave.data") && e.getMessage().contains("launcher"));
            assertEquals(Optional.empty(), DataDirectory.find(ctx));
            assertEquals(Path.of("fallback"), DataDirectory.orElse(ctx, Path.of("fallback")));
        }
    }
}
