#!/usr/bin/env python3
"""Stands in for `udevadm monitor --property`: the soak's simulated event source.

The runtime's udev source (io.autoweave.usb.udev, udevadm.path pointed here) starts this program and reads its
output exactly as it reads the real udevadm's, so the events enter through the production source, parser,
translator and pipeline. Environment: SOAK_RATE (events/s), SOAK_SECONDS (how long to offer), SOAK_STATE (a
directory: the offered count is kept in SOAK_STATE/offered, so a restart of this process by the runtime continues
the sequence instead of repeating it; SOAK_STATE/stop ends offering early).

Event j: even j attaches device j/2; odd j detaches the device attached 2 s earlier (longer than the default merge
and debounce windows), so every block is exactly one event. Each device has its own port, model and serial.
"""
import os
import sys
import time

rate = int(os.environ.get("SOAK_RATE", "1000"))
seconds = float(os.environ.get("SOAK_SECONDS", "60"))
state = os.environ["SOAK_STATE"]
offered_file = os.path.join(state, "offered")
stop_file = os.path.join(state, "stop")
start_file = os.path.join(state, "start")

LAG = rate  # a device is detached about 2 s after its attach (rate/2 pairs per second)


def load():
    try:
        with open(offered_file) as f:
            a, d, n = (int(x) for x in f.read().split())
            return a, d, n
    except FileNotFoundError:
        return 0, 0, 0


def save(attached, detached, events):
    tmp = offered_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d %d" % (attached, detached, events))
    os.replace(tmp, offered_file)


def port(k):
    k %= 1_000_000
    return "%d-%d.%d.%d" % (1 + k // 250_000, (k // 2500) % 100 + 1, (k // 25) % 100 + 1, k % 25 + 1)


def block(k, action):
    p = port(k)
    bus = int(p.split("-")[0])
    devpath = "/devices/pci0000:00/0000:00:14.0/usb%d/%s" % (bus, p)
    return ("UDEV  [%.6f] %-8s %s (usb)\nACTION=%s\nDEVPATH=%s\nSUBSYSTEM=usb\nDEVTYPE=usb_device\n"
            "ID_VENDOR_ID=1209\nID_MODEL_ID=%04x\nID_SERIAL_SHORT=SOAK%d\nPRODUCT=1209/%x/100\nTYPE=0/0/0\n"
            "BUSNUM=%03d\nDEVNUM=%03d\n\n") % (time.monotonic(), action, devpath, action, devpath, k % 65536, k,
                                                    k % 65536, bus, k % 127 + 1)


def main():
    out = sys.stdout
    out.write("monitor will print the received events for:\nUDEV - the event which udev sends out after rule "
              "processing\n\n")
    out.flush()
    attached, detached, events = load()
    if not os.path.exists(start_file):
        with open(start_file, "w") as f:
            f.write(str(time.time()))
    with open(start_file) as f:
        end = float(f.read()) + seconds
    tick = 0.01
    per_tick = max(1, int(rate * tick))
    next_tick = time.monotonic()
    while time.time() < end and not os.path.exists(stop_file):
        chunk = []
        for _ in range(per_tick):
            if attached - detached > LAG // 2 and len(chunk) % 2 == 1:
                chunk.append(block(detached, "remove"))
                detached += 1
            else:
                chunk.append(block(attached, "add"))
                attached += 1
        out.write("".join(chunk))
        out.flush()
        events += len(chunk)
        save(attached, detached, events)
        next_tick += tick
        delay = next_tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        elif delay < -1:
            next_tick = time.monotonic()  # fell behind (machine busy): do not burst to catch up
    # detach what is still attached, so the registry ends empty; then stay quiet like an idle udevadm (exiting
    # would make the runtime start us again). Wait first: a detach within the debounce window of its attach would
    # be suppressed as a flap, not delivered.
    time.sleep(2.5)
    while detached < attached:
        out.write(block(detached, "remove"))
        detached += 1
        events += 1
    out.flush()
    save(attached, detached, events)
    with open(os.path.join(state, "done"), "w") as f:
        f.write("done")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
