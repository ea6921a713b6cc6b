package io.autoweave.usb.pipeline.internal.registry;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.autoweave.api.device.Sources;
import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.rules.RuleTarget;
import io.autoweave.usb.pipeline.internal.identity.DeviceKey;

/**
 * What is connected now and since when, keyed by {@link DeviceKey} (signature plus port path). Updated by the
 * pipeline's output; safe to query from any thread.
 */
public final class DeviceRegistry {

    /**
     * One connected device.
     *
     * @param key signature and port
     * @param device the device as the attach event carried it (first report wins)
     * @param enriched the same device with fields the first report lacked filled in from later reports; its
     *        signature stays the key's, so it names the connection, not a hash of the filled fields
     * @param sinceMillis wall-clock time of the attach
     * @param sinceNanos monotonic time of the attach
     * @param attachEventId the attach event's id
     * @param sources every source that reported the attach
     * @param target the rule decision for the device
     * @param flapCount attach/detach pairs collapsed while connected
     */
    public record Entry(DeviceKey key, UsbDevice device, UsbDevice enriched, long sinceMillis, long sinceNanos,
            String attachEventId, Set<String> sources, RuleTarget target, int flapCount) {

        public Entry {
            sources = Sources.of(sources); // keeps first reporter first; shared, compact
        }
    }

    private final ConcurrentHashMap<DeviceKey, Entry> entries = new ConcurrentHashMap<>();

    /** Applies a pipeline output event: attach records the device, detach removes it. */
    public void apply(UsbEvent event, RuleTarget target) {
        DeviceKey key = DeviceKey.of(event.device());
        if (event.action() == UsbAction.ATTACH) {
            entries.put(key, new Entry(key, event.device(), event.device(), event.timestampMillis(),
                    event.monotonicNanos(), event.eventId(), event.sources(), target,
                    event.flapCount()));
        } else {
            entries.remove(key);
        }
    }

    /**
     * Folds in what a later source knew: adds its name and fills null string fields (serial, manufacturer,
     * product) and unknown locations. Never overwrites what the first report said.
     */
    public void enrich(DeviceKey key, UsbDevice reported, Set<String> sources) {
        entries.computeIfPresent(key, (k, e) -> {
            Set<String> all = Sources.union(e.sources(), sources);
            return new Entry(k, e.device(), fill(e.enriched(), reported), e.sinceMillis(), e.sinceNanos(),
                    e.attachEventId(), all, e.target(), e.flapCount());
        });
    }

    /** Counts flaps that ended with the device still attached (they produced no event). */
    public void recordFlaps(DeviceKey key, int pairs) {
        entries.computeIfPresent(key, (k, e) -> new Entry(k, e.device(), e.enriched(), e.sinceMillis(),
                e.sinceNanos(), e.attachEventId(), e.sources(), e.target(), e.flapCount() + pairs));
    }

    public Optional<Entry> find(DeviceKey key) {
        return Optional.ofNullable(entries.get(key));
    }

    /** The device on {@code portPath}, if any (a port holds at most one device). */
    public Optional<Entry> atPort(String portPath) {
        return entries.values().stream().filter(e -> portPath.equals(e.key().portPath())).findFirst();
    }

    /** Every connected device with {@code signature}; identical serial-less devices share one. */
    public List<Entry> withSignature(String signature) {
        return entries.values().stream().filter(e -> e.key().signature().equals(signature))
                .sorted(BY_SINCE).toList();
    }

    /** Every connected device, oldest connection first. */
    public List<Entry> connected() {
        List<Entry> all = new ArrayList<>(entries.values());
        all.sort(BY_SINCE);
        return all;
    }

    public int size() {
        return entries.size();
    }

    private static final Comparator<Entry> BY_SINCE =
            Comparator.comparingLong(Entry::sinceNanos).thenComparing(e -> e.key().toString());

    /** {@code known} with the fields it lacks taken from {@code later}; never overwrites, keeps the signature. */
    public static UsbDevice fill(UsbDevice known, UsbDevice later) {
        return new UsbDevice(known.vendorId(), known.productId(),
                known.serial() != null ? known.serial() : later.serial(),
                known.manufacturer() != null ? known.manufacturer() : later.manufacturer(),
                known.product() != null ? known.product() : later.product(),
                known.deviceClass(), known.deviceSubclass(), known.deviceProtocol(),
                known.interfaceClasses().isEmpty() ? later.interfaceClasses() : known.interfaceClasses(),
                known.bcdDevice(),
                known.busNumber() >= 0 ? known.busNumber() : later.busNumber(),
                known.deviceAddress() >= 0 ? known.deviceAddress() : later.deviceAddress(),
                known.portPath() != null ? known.portPath() : later.portPath(),
                known.signature());
    }
}
