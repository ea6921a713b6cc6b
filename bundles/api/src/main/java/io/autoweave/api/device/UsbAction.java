package io.autoweave.api.device;

/** The physical action one event stands for. */
public enum UsbAction {
    /** A device appeared on the bus. */
    ATTACH,
    /** A device left the bus. */
    DETACH;

    /** The lower-case wire name used in Redis streams, JSON and EventAdmin topics. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Parses a wire name ({@code attach}/{@code add}, {@code detach}/{@code remove}), case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted words when {@code text} is none of them
     */
    public static UsbAction parse(String text) {
        if (text != null) {
            switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "attach": case "add": case "attached": return ATTACH;
                case "detach": case "remove": case "detached": return DETACH;
                default: break;
            }
        }
        throw new IllegalArgumentException("unknown USB action '" + text + "': use attach or detach");
    }
}
