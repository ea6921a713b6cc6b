package io.autoweave.usb.pipeline.internal.merge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import io.autoweave.api.device.UsbAction;
import io.autoweave.api.device.UsbEvent;
import io.autoweave.usb.pipeline.internal.support.TaskScheduler;
import io.autoweave.usb.pipeline.internal.identity.DeviceKey;

/**
 * Collapses attach/detach flapping of one device, leading edge first.
 *
 * <p>Per {@link DeviceKey}: the first event passes at once and opens a window of fixed length (measured from that
 * event, so a device flapping without end still settles every window). Events within the window are held back;
 * when the window ends, if the device's last state differs from what consumers were last told, that last event is
 * emitted carrying the number of collapsed attach/detach pairs as its flap count. If the device ends where
 * consumers already believe it is, nothing is emitted and the collapsed pairs go to the {@link FlapObserver}.
 * So consumers always end in the right state, and see at most two events per device per window.
 *
 * <p>A repeat of the state consumers already hold (attach after attach with no detach between) is a duplicate:
 * dropped and counted, never forwarded.
 *
 * <p>Each device has its own timer, so one flapping device never delays another. Not thread-safe: the
 * {@code Pipeline} serializes calls, including the timer callbacks.
 */
public final class Debouncer {

    /** Told about flaps that ended where they started, which produce no event. */
    public interface FlapObserver {
        void flapsCollapsed(DeviceKey key, int pairs);
    }

    private static final class DeviceState {
        final DeviceKey key;
        /** What consumers were last told. */
        UsbAction emitted;
        /** The latest event seen in the open window (held back unless it changes the state). */
        UsbEvent latest;
        int toggles;
        TaskScheduler.Cancellable timer;

        DeviceState(DeviceKey key) {
            this.key = key;
        }
    }

    private volatile long windowNanos;
    private final TaskScheduler scheduler;
    private final Consumer<UsbEvent> downstream;
    private final FlapObserver flapObserver;
    private volatile Consumer<UsbEvent> discarded = e -> { };
    private final Map<DeviceKey, DeviceState> states = new HashMap<>();

    public final LongAdder passed = new LongAdder();
    public final LongAdder suppressed = new LongAdder();
    public final LongAdder duplicates = new LongAdder();
    public final LongAdder settledEmits = new LongAdder();
    public final LongAdder flapPairs = new LongAdder();

    /** A new debounce window for windows opened from now on (a configuration change). */
    public void window(long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("debounce window must be > 0 ns: " + nanos);
        }
        this.windowNanos = nanos;
    }

    public Debouncer(long windowNanos, TaskScheduler scheduler, Consumer<UsbEvent> downstream, FlapObserver flapObserver) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("debounce window must be > 0 ns: " + windowNanos);
        }
        this.windowNanos = windowNanos;
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.downstream = Objects.requireNonNull(downstream, "downstream");
        this.flapObserver = flapObserver == null ? (k, p) -> { } : flapObserver;
    }

    /**
     * Told of every event that will never pass (a duplicate, or a flap collapsed into a later event), so whoever
     * holds something for that event (late sources' updates) can drop it.
     */
    public void onDiscarded(Consumer<UsbEvent> listener) {
        this.discarded = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Makes the debouncer believe consumers were told {@code action} for {@code key} (a device restored from the
     * previous process lifetime), so a repeat of it is a duplicate and the opposite passes.
     */
    public void seed(DeviceKey key, UsbAction action) {
        DeviceState state = states.computeIfAbsent(key, DeviceState::new);
        if (state.timer == null) {
            state.emitted = action;
        }
    }

    public void accept(UsbEvent event) {
        DeviceKey key = DeviceKey.of(event.device());
        DeviceState state = states.get(key);
        if (state != null && state.timer != null) {
            holdBack(state, event);
            return;
        }
        if (state != null && state.emitted == event.action()) {
            duplicates.increment();
            discarded.accept(event);
            return;
        }
        if (state == null) {
            state = new DeviceState(key);
            states.put(key, state);
        }
        state.emitted = event.action();
        state.latest = event;
        state.toggles = 0;
        DeviceState open = state;
        state.timer = scheduler.schedule(() -> settle(open), windowNanos);
        passed.increment();
        downstream.accept(event);
    }

    private void holdBack(DeviceState state, UsbEvent event) {
        if (event.action() == state.latest.action()) {
            duplicates.increment();
            discarded.accept(event);
            return;
        }
        state.toggles++;
        discarded.accept(state.latest); // collapsed: a later event (or none) stands for it
        state.latest = event;
        suppressed.increment();
    }

    private void settle(DeviceState state) {
        if (states.get(state.key) != state || state.timer == null) {
            return; // already settled by settleAll()
        }
        state.timer = null;
        UsbEvent last = state.latest;
        int pairs = state.toggles / 2;
        flapPairs.add(pairs);
        if (last.action() != state.emitted) {
            state.emitted = last.action();
            settledEmits.increment();
            forget(state);
            downstream.accept(withFlaps(last, pairs));
        } else {
            forget(state);
            discarded.accept(last);
            if (pairs > 0) {
                flapObserver.flapsCollapsed(state.key, pairs);
            }
        }
    }

    /** A device known to be gone needs no memory; one still attached keeps it to recognise a duplicate attach. */
    private void forget(DeviceState state) {
        if (state.emitted == UsbAction.DETACH) {
            states.remove(state.key);
        }
    }

    private static UsbEvent withFlaps(UsbEvent event, int pairs) {
        return new UsbEvent(event.eventId(), event.instanceId(), event.action(), event.timestampMillis(),
                event.monotonicNanos(), event.device(), event.sources(), event.flapCount() + pairs);
    }

    /** Ends every open window now (shutdown), so consumers get final states without waiting. */
    public void settleAll() {
        List<DeviceState> open = new ArrayList<>();
        for (DeviceState state : states.values()) {
            if (state.timer != null) {
                open.add(state);
            }
        }
        for (DeviceState state : open) {
            state.timer.cancel();
            settle(state);
        }
    }

    /** Devices with an open window (for tests and metrics). */
    int openWindows() {
        int n = 0;
        for (DeviceState state : states.values()) {
            if (state.timer != null) {
                n++;
            }
        }
        return n;
    }

    /** Devices the debouncer remembers at all: open windows plus devices consumers believe attached. */
    int trackedDevices() {
        return states.size();
    }
}
