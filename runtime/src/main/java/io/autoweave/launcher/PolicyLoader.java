package io.autoweave.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import io.autoweave.commons.policy.PolicyText;

/**
 * Loads {@code *.policy} files (in name order) and commits their rows to ConditionalPermissionAdmin, replacing
 * whatever table the framework persisted. The format is the OSGi encoded form of
 * {@code ConditionalPermissionInfo}, one row per entry, which may span lines; {@code #} and {@code //} start
 * comments. {@code ${autoweave.data}} expands to the data directory. See security-policies/README.md.
 *
 * <p>The launcher sees the CPA service only reflectively: its API classes live in the framework.security
 * extension, not on the launcher's class path.
 */
final class PolicyLoader {
    private static final String CPA = "org.osgi.service.condpermadmin.ConditionalPermissionAdmin";
    private static final String UPDATE = "org.osgi.service.condpermadmin.ConditionalPermissionUpdate";

    private PolicyLoader() {
    }

    /** A row in encoded form and where it came from (for error messages). */
    record Row(String encoded, String origin) {
    }

    static int apply(BundleContext ctx, Path policyDir, Consumer<String> log) throws LaunchException {
        List<Row> rows = new ArrayList<>();
        String data = ctx.getProperty("autoweave.data");
        try {
            if (policyDir == null) {
                for (String name : Resources.list("autoweave/security-policies/")) {
                    if (name.endsWith(".policy")) {
                        try (InputStream in = Resources.open("autoweave/security-policies/" + name)) {
                            rows.addAll(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name, data));
                        }
                    }
                }
            } else {
                List<Path> files;
                try (Stream<Path> s = Files.list(policyDir)) {
                    files = s.filter(p -> p.getFileName().toString().endsWith(".policy")).sorted().toList();
                }
                for (Path f : files) {
                    rows.addAll(parse(Files.readString(f), f.toString(), data));
                }
            }
        } catch (IOException e) {
            throw new LaunchException("cannot read the security policy: " + e, e);
        }
        if (rows.isEmpty()) {
            throw new LaunchException("the security policy has no rows: an empty ConditionalPermissionAdmin table "
                    + "would give every bundle AllPermission; add *.policy files to "
                    + (policyDir == null ? "security-policies/" : policyDir.toString()));
        }
        commit(ctx, rows);
        return rows.size();
    }

    /** Splits a policy text into rows (the shared format, {@link PolicyText}); errors name the file and line. */
    static List<Row> parse(String text, String origin, String dataDir) throws LaunchException {
        try {
            List<Row> rows = new ArrayList<>();
            for (PolicyText.Row r : PolicyText.parse(text, origin, dataDir)) {
                rows.add(new Row(r.encoded(), r.where()));
            }
            return rows;
        } catch (PolicyText.SyntaxException e) {
            throw new LaunchException(e.getMessage(), e);
        }
    }

    private static void commit(BundleContext ctx, List<Row> rows) throws LaunchException {
        ServiceReference<?> ref = ctx.getServiceReference(CPA);
        Object cpa = ctx.getService(ref);
        try {
            ClassLoader api = cpa.getClass().getClassLoader();
            Class<?> cpaType = Class.forName(CPA, false, api);
            Class<?> updateType = Class.forName(UPDATE, false, api);
            Method newInfo = cpaType.getMethod("newConditionalPermissionInfo", String.class);
            List<Object> infos = new ArrayList<>();
            for (Row r : rows) {
                try {
                    infos.add(newInfo.invoke(cpa, r.encoded()));
                } catch (InvocationTargetException e) {
                    throw new LaunchException(r.origin() + ": invalid policy row: " + e.getCause().getMessage()
                            + " (row: " + r.encoded() + ")", e.getCause());
                }
            }
            Object update = cpaType.getMethod("newConditionalPermissionUpdate").invoke(cpa);
            @SuppressWarnings("unchecked")
            List<Object> table = (List<Object>) updateType.getMethod("getConditionalPermissionInfos").invoke(update);
            table.clear();
            table.addAll(infos);
            if (!(Boolean) updateType.getMethod("commit").invoke(update)) {
                throw new LaunchException("the security policy changed while it was being applied; start again");
            }
        } catch (ReflectiveOperationException e) {
            throw new LaunchException("cannot apply the security policy: " + e, e);
        } finally {
            ctx.ungetService(ref);
        }
    }
}
