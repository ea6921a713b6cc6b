package io.autoweave.plugin.installer.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.Test;

import io.autoweave.commons.config.ConfigRefusal;
import io.autoweave.commons.config.LastGoodConfig;
import io.autoweave.plugin.installer.internal.config.InstallerConfigs;
import io.autoweave.plugin.installer.internal.config.InstallerConfig;

/** The installer's and the drop folder's configuration checks: every bad value refused under its own key. */
public class InstallerConfigCheckTest {

    /** The annotation's defaults, with some attributes (by method name) replaced. */
    @SuppressWarnings("unchecked")
    static <C> C config(Class<C> type, Map<String, Object> overrides) {
        C defaults = LastGoodConfig.defaults(type);
        return (C) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (p, m, a) -> overrides
                .containsKey(m.getName()) ? overrides.get(m.getName()) : m.invoke(defaults, a));
    }

    private static String refusedKey(Runnable check) {
        try {
            check.run();
            fail("expected a refusal");
            return null;
        } catch (ConfigRefusal r) {
            return r.key();
        }
    }

    @Test
    public void theDefaultsCheckOut() {
        InstallerConfigs.check(LastGoodConfig.defaults(InstallerConfig.class));
        DropFolderWatcher.check(LastGoodConfig.defaults(DropFolderConfig.class));
    }

    @Test
    public void installerValuesAreRefusedUnderTheirKeys() {
        assertEquals("download.timeout.seconds", refusedKey(() -> InstallerConfigs.check(config(
                InstallerConfig.class, Map.of("download_timeout_seconds", 0)))));
        assertEquals("start.timeout.seconds", refusedKey(() -> InstallerConfigs.check(config(
                InstallerConfig.class, Map.of("start_timeout_seconds", 601)))));
        assertEquals("trust.store.path", refusedKey(() -> InstallerConfigs.check(config(
                InstallerConfig.class, Map.of("trust_store_path", " ")))));
    }

    @Test
    public void dropFolderValuesAreRefusedUnderTheirKeys() {
        assertEquals("poll.millis", refusedKey(() -> DropFolderWatcher.check(config(DropFolderConfig.class,
                Map.of("poll_millis", 5L)))));
        assertEquals("level", refusedKey(() -> DropFolderWatcher.check(config(DropFolderConfig.class,
                Map.of("level", "extreme")))));
        assertEquals("folder", refusedKey(() -> DropFolderWatcher.check(config(DropFolderConfig.class,
                Map.of("folder", "")))));
    }
}
