package io.autoweave.usb.linux.internal;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.autoweave.api.device.UsbDevice;
import io.autoweave.api.source.DeviceReport;
import io.autoweave.api.source.DeviceReportSink;

/** A sink that remembers every call, safe to read from the test thread while sources write. */
class RecordingSink implements DeviceReportSink {

    record Snapshot(String source, List<UsbDevice> devices, long nanos) {
    }

    final List<DeviceReport> reports = new CopyOnWriteArrayList<>();
    final List<Snapshot> snapshots = new CopyOnWriteArrayList<>();

    @Override
    public void report(DeviceReport report) {
        reports.add(report);
    }

    @Override
    public void snapshot(String source, Collection<UsbDevice> present) {
        snapshots.add(new Snapshot(source, List.copyOf(present), System.nanoTime()));
    }

    Snapshot lastSnapshot() {
        return snapshots.get(snapshots.size() - 1);
    }
}
