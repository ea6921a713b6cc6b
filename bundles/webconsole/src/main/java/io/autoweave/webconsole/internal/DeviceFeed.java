package io.autoweave.webconsole.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.LinkedBlockingQueue;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;

import io.autoweave.api.device.UsbEvent;
import io.autoweave.api.device.UsbTopics;
import io.autoweave.commons.config.LastGoodConfig;

/**
 * The USB events the devices page shows: the most recent ones, and a live feed for each open event stream. Fed by
 * EventAdmin (the pipeline posts every event on {@code autoweave/usb/*}), so the page sees what every other
 * consumer sees, after the device rules.
 */
@Component(service = { DeviceFeed.class, EventHandler.class }, configurationPid = DeviceFeed.PID,
        property = EventConstants.EVENT_TOPIC + "=" + UsbTopics.PREFIX + "*")
// the one metatype designation of the pid; the pages read the same configuration
@Designate(ocd = ConsoleConfig.class)
public final class DeviceFeed implements EventHandler {

    private static final int QUEUE = 1000;

    static final String PID = "io.autoweave.webconsole";

    private final LastGoodConfig<ConsoleConfig, ConsoleSettings> config;
    private volatile int capacity;
    private final Deque<UsbEvent> recent = new ArrayDeque<>();
    private final Set<BlockingQueue<Object>> subscribers = new CopyOnWriteArraySet<>();
    private volatile boolean closed;

    @Activate
    public DeviceFeed(BundleContext ctx, ConsoleConfig config, Map<String, Object> properties) {
        this.config = new LastGoodConfig<>(PID, ConsoleConfig.class, ConsoleSettings::of);
        this.capacity = this.config.start(ctx, config, properties).recentEvents();
    }

    DeviceFeed(int capacity) {
        this.config = new LastGoodConfig<>(PID, ConsoleConfig.class, ConsoleSettings::of);
        this.config.start(null, LastGoodConfig.defaults(ConsoleConfig.class), Map.of());
        if (capacity < 1 || capacity > 10_000) {
            throw new IllegalArgumentException("recent.events must be 1..10000, not " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * A change applies to every page at its next request; the pages and this feed stay registered, and a refused
     * change keeps the settings in force.
     */
    @Modified
    void modified(ConsoleConfig config, Map<String, Object> properties) {
        this.config.modified(config, properties).ifPresent(s -> {
            synchronized (recent) {
                capacity = s.recentEvents();
                while (recent.size() > capacity) {
                    recent.removeFirst();
                }
            }
        });
    }

    /** The settings of the console pages in force. */
    ConsoleSettings settings() {
        return config.current();
    }

    @Override
    public void handleEvent(Event event) {
        if (event.getProperty(UsbTopics.EVENT) instanceof UsbEvent e) {
            publish(e);
        }
    }

    void publish(UsbEvent e) {
        synchronized (recent) {
            recent.addFirst(e);
            while (recent.size() > capacity) {
                recent.removeLast();
            }
        }
        for (BlockingQueue<Object> q : subscribers) {
            if (!q.offer(e)) {
                // a stream that fell this far behind is ended; the browser reconnects and reloads the table
                subscribers.remove(q);
                q.clear();
                q.offer(Closed.INSTANCE);
            }
        }
    }

    /** The most recent events, newest first; {@code signature} null for all devices. */
    List<UsbEvent> recent(String signature, int max) {
        List<UsbEvent> out = new ArrayList<>();
        synchronized (recent) {
            for (UsbEvent e : recent) {
                if (out.size() >= max) {
                    break;
                }
                if (signature == null || signature.equalsIgnoreCase(e.device().signature())) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    /** A queue receiving every later event; a {@link Closed} marker ends it. Hand it back to {@link #unsubscribe}. */
    BlockingQueue<Object> subscribe() {
        BlockingQueue<Object> q = new LinkedBlockingQueue<>(QUEUE);
        subscribers.add(q);
        if (closed) {
            q.offer(Closed.INSTANCE);
        }
        return q;
    }

    void unsubscribe(BlockingQueue<Object> q) {
        subscribers.remove(q);
    }

    int subscribers() {
        return subscribers.size();
    }

    @Deactivate
    void close() {
        closed = true;
        for (BlockingQueue<Object> q : subscribers) {
            q.offer(Closed.INSTANCE);
        }
    }

    /** The end-of-feed marker. */
    enum Closed {
        INSTANCE
    }
}
