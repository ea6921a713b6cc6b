package io.autoweave.commons.config;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Map;

import org.junit.Test;

public class LastGoodConfigTest {

    @interface Sample {
        long window_ms() default 100;

        String my__name$_$x() default "n";

        String _password() default "";
    }

    /** What DS hands over: values from the map, a conversion failure only when the attribute is called. */
    private static Sample typed(Map<String, String> props) {
        return (Sample) Proxy.newProxyInstance(Sample.class.getClassLoader(), new Class<?>[] { Sample.class },
                (p, m, a) -> {
                    String key = LastGoodConfig.key(m.getName());
                    String v = props.get(key);
                    if (v == null) {
                        return m.getDefaultValue();
                    }
                    if (m.getReturnType() == long.class) {
                        try {
                            return Long.parseLong(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalStateException("SCR: " + e); // stands for ComponentException
                        }
                    }
                    return v;
                });
    }

    private static LastGoodConfig<Sample, Long> guard() {
        return new LastGoodConfig<>("test.pid", Sample.class,
                c -> ConfigRefusal.range("window.ms", c.window_ms(), 1, 1000));
    }

    @interface Renamed {
        @OldName("maxLen")
        long max_len() default 100;

        @OldName("endpointList")
        String[] endpoints() default {};

        boolean cluster() default false;
    }

    @SuppressWarnings("unchecked")
    private static Renamed renamed(Map<String, Object> props) {
        return (Renamed) Proxy.newProxyInstance(Renamed.class.getClassLoader(), new Class<?>[] { Renamed.class },
                (p, m, a) -> {
                    Object v = props.get(LastGoodConfig.key(m.getName()));
                    return v == null ? m.getDefaultValue() : LastGoodConfig.convert(v, m.getReturnType(), "x");
                });
    }

    @Test
    public void aRenamedKeyIsStillReadUnderItsOldNameUnlessTheNewOneIsSet() {
        LastGoodConfig<Renamed, Renamed> g = new LastGoodConfig<>("test.renamed", Renamed.class, c -> c);
        // as DS hands it over: bnd writes every default into the component description
        Map<String, Object> old = Map.of("maxLen", "0", "endpointList", "127.0.0.1:6379", "cluster", "true",
                "max.len", 100L, "endpoints", new String[0]);
        Renamed r = g.start(null, renamed(old), old);
        assertEquals(0L, r.max_len());
        assertArrayEquals(new String[] { "127.0.0.1:6379" }, r.endpoints());
        assertTrue("keys without an old name read as before", r.cluster());
        Map<String, Object> both = Map.of("maxLen", "0", "max.len", 5L);
        assertEquals("the new key wins", 5L, g.modified(renamed(both), both).orElseThrow().max_len());
        Map<String, Object> bad = Map.of("maxLen", "lots");
        assertTrue(g.modified(renamed(bad), bad).isEmpty());
        assertEquals("the refusal names the key the operator wrote", "maxLen", g.error().key());
        assertEquals("must be a whole number", g.error().reason());
        assertEquals(5L, g.current().max_len());
    }

    @Test
    public void valuesConvertByTheDsRules() {
        assertEquals(7L, LastGoodConfig.convert(" 7 ", long.class, "k"));
        assertEquals(7, LastGoodConfig.convert(7L, int.class, "k"));
        assertEquals(true, LastGoodConfig.convert("true", boolean.class, "k"));
        assertEquals("a", LastGoodConfig.convert(new String[] { "a", "b" }, String.class, "k"));
        assertArrayEquals(new long[] { 1, 2 }, (long[]) LastGoodConfig.convert(java.util.List.of("1", "2"),
                long[].class, "k"));
        ConfigRefusal r = org.junit.Assert.assertThrows(ConfigRefusal.class,
                () -> LastGoodConfig.convert("x", double.class, "k"));
        assertEquals("k", r.key());
    }

    @Test
    public void attributeNamesMapToPropertyNamesByTheDsRules() {
        assertEquals("window.ms", LastGoodConfig.key("window_ms"));
        assertEquals("my_name-x", LastGoodConfig.key("my__name$_$x"));
        assertEquals(".password", LastGoodConfig.key("_password"));
    }

    @Test
    public void aValueThatDoesNotConvertIsRefusedWithItsKeyAndTheDefaultsRunAtStart() {
        LastGoodConfig<Sample, Long> g = guard();
        long s = g.start(null, typed(Map.of("window.ms", "abc")), Map.of("window.ms", "abc"));
        assertEquals("the defaults", 100L, s);
        assertEquals(1, g.refusals());
        assertEquals("window.ms", g.error().key());
        assertEquals("abc", g.error().value());
        assertEquals("must be a whole number", g.error().reason());
        assertEquals("defaults", g.error().inForce());
    }

    @Test
    public void aRefusedChangeKeepsTheSettingsInForceAndAGoodOneClearsTheError() {
        LastGoodConfig<Sample, Long> g = guard();
        assertEquals(20L, (long) g.start(null, typed(Map.of("window.ms", "20")), Map.of()));
        assertTrue(g.modified(typed(Map.of("window.ms", "-1")), Map.of("window.ms", "-1")).isEmpty());
        assertEquals(20L, (long) g.current());
        assertEquals("must be from 1 to 1000", g.error().reason());
        assertEquals("-1", g.error().value());
        assertEquals("previous configuration", g.error().inForce());
        assertEquals(30L, (long) g.modified(typed(Map.of("window.ms", "30")), Map.of()).orElseThrow());
        assertNull(g.error());
        assertEquals(1, g.refusals());
    }

    @Test
    public void secretValuesAreNeverShown() {
        LastGoodConfig<Sample, Long> g = new LastGoodConfig<>("p", Sample.class, c -> {
            throw new ConfigRefusal(".password", "hunter2", "too short");
        });
        try {
            g.start(null, typed(Map.of()), Map.of());
        } catch (IllegalStateException e) {
            // the defaults fail this check too
        }
        assertEquals("(hidden)", g.error().value());
    }

    @Test
    public void defaultsAnswerTheAnnotationsDefaults() {
        Sample d = LastGoodConfig.defaults(Sample.class);
        assertEquals(100L, d.window_ms());
        assertEquals("n", d.my__name$_$x());
    }

    @Test
    public void anOlderCheckNamingItsKeyFirstIsReportedUnderThatKey() {
        ConfigRefusal r = LastGoodConfig.refusal("url: missing; set url=http://host:port/path", Map.of("url", ""));
        assertEquals("url", r.key());
        assertEquals("missing; set url=http://host:port/path", r.reason());
        ConfigRefusal v = LastGoodConfig.refusal("segment.mb = 0: must be between 1 and 1024", Map.of());
        assertEquals("segment.mb", v.key());
        assertEquals("0", v.value());
        ConfigRefusal m = LastGoodConfig.refusal("merge.window.ms must be >= 0, was -1", Map.of("merge.window.ms", "-1"));
        assertEquals("merge.window.ms", m.key());
        assertEquals("-1", m.value());
        assertEquals("must be >= 0, was -1", m.reason());
        assertEquals("(configuration)", LastGoodConfig.refusal("Something else went wrong", Map.of()).key());
    }

    @Test
    public void withoutUsableDefaultsARefusedStartRunsOnTheFallbackUntilAGoodChange() {
        LastGoodConfig<Sample, Long> g = guard();
        Long s = g.start(null, typed(Map.of("window.ms", "0")), Map.of("window.ms", "0"), "nothing", () -> null);
        assertNull(s);
        assertEquals("nothing", g.error().inForce());
        assertTrue(g.modified(typed(Map.of("window.ms", "5000")), Map.of("window.ms", "5000")).isEmpty());
        assertEquals("still nothing in force", "nothing", g.error().inForce());
        assertEquals(Long.valueOf(7), g.modified(typed(Map.of("window.ms", "7")), Map.of()).orElseThrow());
        assertNull(g.error());
        assertEquals(2, g.refusals());
    }
}
