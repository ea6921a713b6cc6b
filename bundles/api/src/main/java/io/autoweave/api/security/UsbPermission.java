package io.autoweave.api.security;

import java.security.Permission;
import java.security.PermissionCollection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Predicate;

import io.autoweave.api.device.UsbDevice;

/**
 * What a bundle may do with which USB devices.
 *
 * <p><b>Name</b>: {@code *} (every device), or clauses separated by {@code ;}, each {@code key=value[,value...]}:
 * <ul>
 * <li>{@code vendor=046d,1d6b}: vendor ids, 1 to 4 hex digits each</li>
 * <li>{@code product=c52b}: product ids, 1 to 4 hex digits each</li>
 * <li>{@code class=03,08}: USB class codes, 1 or 2 hex digits each</li>
 * </ul>
 * A missing key, or the value {@code *}, means any. {@code vendor=046d;class=03} grants HID functions of Logitech
 * devices. Names are kept in a canonical form (lower case, zero-padded, sorted), so equal grants compare equal.
 *
 * <p><b>Actions</b>: {@code monitor} (see the device and its attach/detach events), {@code read}, {@code write}
 * (transfer data), or {@code *}. {@code read} and {@code write} each include {@code monitor}: a device one may talk
 * to cannot be hidden from one.
 *
 * <p><b>Implication</b>: {@code p.implies(q)} when p's actions include q's and, for each key, p allows any value or
 * every value q names. A concrete device is checked with {@link #forDevice}: its vendor, its product and the set of
 * its classes. A device's classes are the classes of its interfaces, or its device class when no interface is known;
 * so a composite device (keyboard with a card reader: classes 03 and 08) is visible only to a grant that covers
 * <em>both</em> — seeing a device means seeing every function it has.
 */
public final class UsbPermission extends Permission {
    private static final long serialVersionUID = 1L;

    /** Bit of the {@code monitor} action. */
    static final int MONITOR = 1;
    /** Bit of the {@code read} action (includes {@link #MONITOR}). */
    static final int READ = 2 | MONITOR;
    /** Bit of the {@code write} action (includes {@link #MONITOR}). */
    static final int WRITE = 4 | MONITOR;
    private static final int ALL = MONITOR | READ | WRITE;

    /** Key names in canonical order. */
    private static final String[] KEYS = { "vendor", "product", "class" };
    private static final int[] DIGITS = { 4, 4, 2 };

    /** Per key: the allowed values, sorted; null means any. */
    private final int[][] allowed;
    private final int mask;

    /**
     * @param name a device filter, see the class description
     * @param actions {@code monitor}, {@code read}, {@code write} or {@code *}, comma-separated
     * @throws IllegalArgumentException naming what is wrong and what to write instead
     */
    public UsbPermission(String name, String actions) {
        this(parseName(name), parseActions(actions));
    }

    private UsbPermission(int[][] allowed, int mask) {
        super(canonicalName(allowed));
        this.allowed = allowed;
        this.mask = mask;
    }

    /** The permission needed to do {@code actions} with {@code device}: its vendor, product and classes. */
    public static UsbPermission forDevice(UsbDevice device, String actions) {
        int mask = "monitor".equals(actions) ? MONITOR : parseActions(actions); // the per-delivery case, unparsed
        return new UsbPermission(new int[][] { { device.vendorId() }, { device.productId() }, deviceClasses(device) },
                mask);
    }

    /**
     * Whether a holder of permissions may see {@code device}. Pass {@code bundle::hasPermission}, so this API needs no
     * framework types: {@code UsbPermission.canMonitor(bundle::hasPermission, device)}.
     */
    public static boolean canMonitor(Predicate<Object> hasPermission, UsbDevice device) {
        return hasPermission.test(forDevice(device, "monitor"));
    }

    /** The classes a device is checked by: its interface classes, or its device class when it has none. */
    static int[] deviceClasses(UsbDevice device) {
        if (device.interfaceClasses().isEmpty()) {
            return new int[] { device.deviceClass() & 0xFF };
        }
        // a loop, not a stream: this runs for every event a listener may see
        int[] classes = new int[device.interfaceClasses().size()];
        int n = 0;
        for (Number c : device.interfaceClasses()) {
            classes[n++] = c.intValue() & 0xFF;
        }
        Arrays.sort(classes);
        int distinct = 0;
        for (int i = 0; i < n; i++) {
            if (distinct == 0 || classes[distinct - 1] != classes[i]) {
                classes[distinct++] = classes[i];
            }
        }
        return distinct == n ? classes : Arrays.copyOf(classes, distinct);
    }

    @Override
    public boolean implies(Permission permission) {
        if (!(permission instanceof UsbPermission)) {
            return false;
        }
        UsbPermission other = (UsbPermission) permission;
        return (mask & other.mask) == other.mask && covers(other);
    }

    /** Whether every device {@code other} names is one this permission names (actions aside). */
    boolean covers(UsbPermission other) {
        for (int k = 0; k < KEYS.length; k++) {
            int[] mine = allowed[k];
            int[] theirs = other.allowed[k];
            if (mine == null) {
                continue;
            }
            if (theirs == null) {
                return false;
            }
            for (int v : theirs) {
                if (Arrays.binarySearch(mine, v) < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    int mask() {
        return mask;
    }

    @Override
    public String getActions() {
        List<String> names = new ArrayList<>(3);
        if ((mask & MONITOR) != 0) {
            names.add("monitor");
        }
        if ((mask & (READ & ~MONITOR)) != 0) {
            names.add("read");
        }
        if ((mask & (WRITE & ~MONITOR)) != 0) {
            names.add("write");
        }
        return String.join(",", names);
    }

    @Override
    public PermissionCollection newPermissionCollection() {
        return new UsbPermissionCollection();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UsbPermission && ((UsbPermission) o).mask == mask
                && ((UsbPermission) o).getName().equals(getName());
    }

    @Override
    public int hashCode() {
        return getName().hashCode() * 31 + mask;
    }

    // ---- parsing ------------------------------------------------------------------------------------------------

    private static int[][] parseName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("UsbPermission name is empty: write '*' for every device, or a filter "
                    + "such as 'vendor=046d;class=03'");
        }
        int[][] allowed = new int[KEYS.length][];
        String trimmed = name.trim();
        if (trimmed.equals("*")) {
            return allowed;
        }
        boolean[] seen = new boolean[KEYS.length];
        for (String clause : trimmed.split(";", -1)) {
            int eq = clause.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("UsbPermission name '" + name + "': clause '" + clause.trim()
                        + "' needs the form key=value[,value], with key vendor, product or class "
                        + "(clauses are separated by ';')");
            }
            String key = clause.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            int k = Arrays.asList(KEYS).indexOf(key);
            if (k < 0) {
                throw new IllegalArgumentException("UsbPermission name '" + name + "': unknown key '" + key
                        + "'; use vendor, product or class");
            }
            if (seen[k]) {
                throw new IllegalArgumentException("UsbPermission name '" + name + "': key '" + key
                        + "' appears twice; list all values in one clause, e.g. " + key + "=" + example(k));
            }
            seen[k] = true;
            allowed[k] = parseValues(name, key, DIGITS[k], clause.substring(eq + 1));
        }
        return allowed;
    }

    private static int[] parseValues(String name, String key, int digits, String text) {
        if (text.trim().equals("*")) {
            return null;
        }
        TreeSet<Integer> values = new TreeSet<>();
        for (String v : text.split(",", -1)) {
            String hex = v.trim().toLowerCase(Locale.ROOT);
            if (hex.startsWith("0x")) {
                hex = hex.substring(2);
            }
            if (hex.isEmpty() || hex.length() > digits || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("UsbPermission name '" + name + "': " + key + " value '" + v.trim()
                        + "' is not 1 to " + digits + " hex digits (e.g. " + key + "=" + example(Arrays.asList(KEYS)
                                .indexOf(key)) + ", or " + key + "=* for any)");
            }
            values.add(Integer.parseInt(hex, 16));
        }
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String example(int k) {
        return k == 0 ? "046d,1d6b" : k == 1 ? "c52b" : "03,08";
    }

    private static int parseActions(String actions) {
        if (actions == null || actions.isBlank()) {
            throw new IllegalArgumentException("UsbPermission actions are empty: use monitor, read, write "
                    + "(comma-separated) or *");
        }
        int m = 0;
        for (String a : actions.split(",", -1)) {
            switch (a.trim().toLowerCase(Locale.ROOT)) {
                case "monitor": m |= MONITOR; break;
                case "read": m |= READ; break;
                case "write": m |= WRITE; break;
                case "*": m |= ALL; break;
                default:
                    throw new IllegalArgumentException("UsbPermission action '" + a.trim() + "' in '" + actions
                            + "' is unknown: use monitor, read, write (comma-separated) or *");
            }
        }
        return m;
    }

    private static String canonicalName(int[][] allowed) {
        // hand-written hex, not String.format: a name is built for every permission checked per delivery
        StringBuilder sb = new StringBuilder(32);
        for (int k = 0; k < KEYS.length; k++) {
            if (allowed[k] != null) {
                sb.append(sb.length() == 0 ? "" : ";").append(KEYS[k]).append('=');
                for (int i = 0; i < allowed[k].length; i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    appendHex(sb, allowed[k][i], DIGITS[k]);
                }
            }
        }
        return sb.length() == 0 ? "*" : sb.toString();
    }

    private static void appendHex(StringBuilder sb, int value, int digits) {
        String hex = Integer.toHexString(value);
        for (int i = hex.length(); i < digits; i++) {
            sb.append('0');
        }
        sb.append(hex);
    }
}
