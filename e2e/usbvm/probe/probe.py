#!/usr/bin/env python3
"""Host side of the USB probe: boots the usbvm guest with probe/autorun.sh, plugs and unplugs
each device kind a few times, measures latencies, captures lsusb -v / sysfs snapshots and
(optionally) runs the usb4java HotplugProbe inside the guest.

usage: probe.py SHARE_DIR [--cycles N] [--kinds kbd,tablet,...] [--java CLASSPATH_DIR]
Results land in SHARE_DIR (timings.json, udev-monitor-*.log, snap/, java-hotplug.log)."""
import argparse, json, os, re, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
# usbvm lives beside the repository: <repo>/../shared/usb-vm/usbvm (this file is <repo>/e2e/usbvm/probe/)
USBVM = os.environ.get("USBVM") or os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "usb-vm", "usbvm"))

ATTRS = ("idVendor idProduct serial manufacturer product bDeviceClass bDeviceSubClass bDeviceProtocol "
         "bcdDevice busnum devnum devpath speed version bNumInterfaces bNumConfigurations bConfigurationValue "
         "maxchild removable bInterfaceNumber bAlternateSetting bInterfaceClass bInterfaceSubClass "
         "bInterfaceProtocol bNumEndpoints interface modalias")

SNAP_SH = r"""
out=/mnt/share/snap/%(name)s
rm -rf $out; mkdir -p $out/devices
lsusb > $out/lsusb.txt 2>&1
lsusb -v > $out/lsusb-v.txt 2>&1
lsusb -t > $out/lsusb-t.txt 2>&1
find /sys/bus/usb/devices/ -maxdepth 1 > $out/find-sys-bus-usb-devices.txt
ls -l /sys/bus/usb/devices/ > $out/ls-l-sys-bus-usb-devices.txt
for d in /sys/bus/usb/devices/*; do
  n=$(basename $d); mkdir -p $out/devices/$n
  for a in %(attrs)s; do [ -f $d/$a ] && cat $d/$a > $out/devices/$n/$a 2>/dev/null; done
  # keep only non-empty reads (some attributes are write-only or fail)
  find $out/devices/$n -type f -empty -delete
  echo "$n -> $(readlink $d)" >> $out/links.txt
done
""" % {"name": "%(name)s", "attrs": ATTRS}


def now():
    return time.monotonic()


def usbvm(*args, check=True):
    t = now()
    p = subprocess.run([USBVM, *args], capture_output=True, text=True)
    dt = now() - t
    if check and p.returncode != 0:
        raise RuntimeError(f"usbvm {' '.join(args)} failed: {p.stdout}{p.stderr}")
    return (p.stdout + p.stderr).strip(), dt


class UdevLog:
    """Incremental parser of `udevadm monitor --property` output."""
    HDR = re.compile(r"^(KERNEL|UDEV)\s*\[(\d+\.\d+)\]\s+(\w+)\s+(\S+)\s+\((\w+)\)")

    def __init__(self, path):
        self.path, self.pos, self.buf, self.events = path, 0, "", []

    def poll(self):
        try:
            with open(self.path, "r", errors="replace") as f:
                f.seek(self.pos); data = f.read(); self.pos = f.tell()
        except FileNotFoundError:
            return []
        self.buf += data
        new = []
        while "\n\n" in self.buf:
            block, self.buf = self.buf.split("\n\n", 1)
            lines = block.strip("\n").split("\n")
            m = self.HDR.match(lines[0]) if lines else None
            if not m:
                continue
            props = dict(l.split("=", 1) for l in lines[1:] if "=" in l)
            ev = {"src": m.group(1), "ts": float(m.group(2)), "action": m.group(3), "devpath": m.group(4),
                  "subsystem": m.group(5), "props": props, "host_seen": now()}
            self.events.append(ev); new.append(ev)
        return new


def wait_for(log, pred, timeout, start_index=0):
    end = now() + timeout
    while now() < end:
        log.poll()
        for ev in log.events[start_index:]:
            if pred(ev):
                return ev
        time.sleep(0.02)
    return None


MON = os.path.join(os.environ.get("USBVM_HOME", "/var/tmp/usbvm"), "monitor.sock")


def hmp(cmd):
    """One QEMU human-monitor command (same socket usbvm uses)."""
    import socket
    s = socket.socket(socket.AF_UNIX); s.connect(MON); s.settimeout(3)
    def read():
        buf = b""
        try:
            while not buf.endswith(b"(qemu) "):
                c = s.recv(65536)
                if not c: break
                buf += c
        except socket.timeout:
            pass
        return buf.decode(errors="replace")
    read(); s.sendall((cmd + "\n").encode()); out = read(); s.close()
    out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out).replace("\r", "")
    return "\n".join(l for l in out.split("\n") if l.strip() and not l.startswith("(qemu)") and cmd not in l)


def plug(dev_id, kind):
    # usbvm's serial kind backs usb-serial with a `null` chardev, which never reports "opened", and
    # QEMU's usb-serial only attaches to the bus once its chardev is open: the guest sees nothing.
    # Work around it with a ringbuf chardev (opened at creation).
    if kind == "serial" and not os.environ.get("PROBE_USBVM_SERIAL"):
        t = now()
        out = hmp(f"chardev-add ringbuf,id=chr-{dev_id},size=4096") + hmp(
            f"device_add usb-serial,bus=xhci.0,chardev=chr-{dev_id},id={dev_id}")
        return out, now() - t
    return usbvm("plug", dev_id, kind)


def unplug(dev_id):
    return usbvm("unplug", dev_id)


def is_dev(src, action):
    return lambda e: e["src"] == src and e["action"] == action and e["props"].get("DEVTYPE") == "usb_device"


def guest_run(share, name, script, timeout=120):
    cmd = os.path.join(share, "cmd")
    tmp = os.path.join(cmd, name + ".tmp")
    with open(tmp, "w") as f:
        f.write(script)
    t = now()
    os.rename(tmp, os.path.join(cmd, name + ".sh"))
    done = os.path.join(cmd, name + ".done")
    while not os.path.exists(done):
        if now() - t > timeout:
            raise RuntimeError(f"guest command {name} timed out")
        time.sleep(0.05)
    time.sleep(0.05)
    return open(os.path.join(cmd, name + ".out"), errors="replace").read(), now() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("share")
    ap.add_argument("--cycles", type=int, default=3)
    ap.add_argument("--kinds", default="kbd,tablet,mouse,storage,serial")
    ap.add_argument("--java", help="dir with HotplugProbe.class and jars/ to run usb4java probe")
    ap.add_argument("--settle", type=float, default=2.0)
    a = ap.parse_args()
    share = os.path.abspath(a.share)
    os.makedirs(share, exist_ok=True)
    for sub in ("cmd", "snap"):
        shutil.rmtree(os.path.join(share, sub), ignore_errors=True)
    for f in os.listdir(share):
        if f.endswith(".log"):
            os.remove(os.path.join(share, f))
    shutil.copy(os.path.join(HERE, "autorun.sh"), os.path.join(share, "autorun.sh"))
    if a.java:
        shutil.rmtree(os.path.join(share, "java"), ignore_errors=True)
        shutil.copytree(a.java, os.path.join(share, "java"))
    T = {"cycles": [], "java": []}
    log = UdevLog(os.path.join(share, "udev-monitor-usb.log"))

    out, T["boot_s"] = usbvm("start", share)
    print(f"boot: {T['boot_s']:.1f}s ({out})", flush=True)
    t = now()
    while "monitor will print" not in open(os.path.join(share, "udev-monitor-usb.log"), errors="replace").read() \
            if os.path.exists(os.path.join(share, "udev-monitor-usb.log")) else True:
        if now() - t > 60: raise RuntimeError("udev monitor did not start")
        time.sleep(0.1)
    T["monitor_up_after_ready_s"] = now() - t
    _, T["guest_cmd_roundtrip_s"] = guest_run(share, "hello", "echo hello; cat /proc/uptime\n")
    guest_run(share, "snap-empty", SNAP_SH % {"name": "empty"})
    print(f"monitor up +{T['monitor_up_after_ready_s']:.1f}s, cmd roundtrip {T['guest_cmd_roundtrip_s']:.2f}s", flush=True)

    try:
        for kind in a.kinds.split(","):
            off = os.path.getsize(log.path)
            for i in range(1, a.cycles + 1):
                dev_id = f"{kind}{i}"
                c = {"kind": kind, "id": dev_id}
                n0 = len(log.events)
                t0 = now()
                out, c["plug_cmd_s"] = plug(dev_id, kind)
                c["plug_out"] = out
                k = wait_for(log, is_dev("KERNEL", "add"), 60, n0)
                u = wait_for(log, is_dev("UDEV", "add"), 60, n0)
                if not u:
                    c["error"] = "no udev add"; T["cycles"].append(c); print(c, flush=True); continue
                c["plug_to_kernel_seen_s"] = k["host_seen"] - t0
                c["plug_to_udev_seen_s"] = u["host_seen"] - t0
                c["kernel_to_udev_guest_s"] = u["ts"] - k["ts"]
                c["devpath"] = u["devpath"]
                c["props"] = {x: u["props"].get(x) for x in ("ID_VENDOR_ID", "ID_MODEL_ID", "ID_SERIAL_SHORT", "ID_SERIAL", "ID_VENDOR", "ID_MODEL", "BUSNUM", "DEVNUM", "PRODUCT", "TYPE")}
                time.sleep(a.settle)
                if i == 1:
                    _, c["snap_s"] = guest_run(share, f"snap-{kind}", SNAP_SH % {"name": kind})
                n1 = len(log.events)
                t1 = now()
                out, c["unplug_cmd_s"] = unplug(dev_id)
                c["unplug_out"] = out
                u2 = wait_for(log, is_dev("UDEV", "remove"), 60, n1)
                if u2:
                    c["unplug_to_udev_seen_s"] = u2["host_seen"] - t1
                c["cycle_s"] = now() - t0
                time.sleep(a.settle)
                # count usb_device add/remove in this cycle (should be 1 and 1)
                evs = log.events[n0:]
                c["udev_usb_device_add"] = sum(1 for e in evs if is_dev("UDEV", "add")(e))
                c["udev_usb_device_remove"] = sum(1 for e in evs if is_dev("UDEV", "remove")(e))
                c["udev_events_total"] = sum(1 for e in evs if e["src"] == "UDEV")
                T["cycles"].append(c)
                print(json.dumps({k2: v for k2, v in c.items() if k2 != "props"}, default=str), c["props"], flush=True)
            log.poll()
            with open(log.path, "rb") as f:
                f.seek(off); seg = f.read()
            open(os.path.join(share, f"udev-usb-{kind}.log"), "wb").write(seg)

        # several devices at once for a multi-device sysfs snapshot
        for dev_id, kind in (("mk", "kbd"), ("ms", "storage"), ("mh", "hub")):
            plug(dev_id, kind)
        time.sleep(a.settle + 3)
        guest_run(share, "snap-multi", SNAP_SH % {"name": "multi"})
        for dev_id in ("mk", "ms", "mh"):
            unplug(dev_id)
        time.sleep(a.settle + 2)

        if a.java:
            t = now()
            guest_run(share, "java-start", "cd /mnt/share/java && nohup java -cp '.:jars/*' HotplugProbe 900 "
                      "> /mnt/share/java-hotplug.log 2>&1 &\n")
            jl = os.path.join(share, "java-hotplug.log")
            while "READY" not in (open(jl).read() if os.path.exists(jl) else ""):
                if now() - t > 180: raise RuntimeError("java probe not ready")
                time.sleep(0.05)
            T["java_start_to_ready_s"] = now() - t
            print(f"java ready after {T['java_start_to_ready_s']:.1f}s", flush=True)
            for kind in ("kbd", "tablet", "storage", "serial"):
                dev_id = f"j{kind}"
                c = {"kind": kind}
                jn = len(open(jl).read().splitlines())
                n0 = len(log.events); t0 = now()
                plug(dev_id, kind)
                while True:
                    lines = open(jl).read().splitlines()[jn:]
                    arr = [l for l in lines if " ARRIVED " in l]
                    if arr: break
                    if now() - t0 > 60: c["error"] = "no ARRIVED"; break
                    time.sleep(0.02)
                c["plug_to_java_arrived_seen_s"] = now() - t0
                u = wait_for(log, is_dev("UDEV", "add"), 30, n0)
                k = wait_for(log, is_dev("KERNEL", "add"), 30, n0)
                if u: c["plug_to_udev_seen_s"] = u["host_seen"] - t0
                if arr and u:
                    jts = float(arr[0].split()[0])
                    c["java_arrived_minus_kernel_guest_s"] = jts - k["ts"]
                    c["java_arrived_minus_udev_guest_s"] = jts - u["ts"]
                    c["java_line"] = arr[0]
                time.sleep(a.settle)
                jn2 = len(open(jl).read().splitlines()); n1 = len(log.events); t1 = now()
                unplug(dev_id)
                while True:
                    lines = open(jl).read().splitlines()[jn2:]
                    left = [l for l in lines if " LEFT " in l]
                    if left: break
                    if now() - t1 > 60: c["error_left"] = "no LEFT"; break
                    time.sleep(0.02)
                c["unplug_to_java_left_seen_s"] = now() - t1
                u2 = wait_for(log, is_dev("UDEV", "remove"), 30, n1)
                k2 = wait_for(log, is_dev("KERNEL", "remove"), 30, n1)
                if left and u2:
                    c["java_left_minus_kernel_guest_s"] = float(left[0].split()[0]) - k2["ts"]
                    c["java_left_line"] = left[0]
                time.sleep(a.settle)
                T["java"].append(c)
                print(json.dumps(c), flush=True)
    finally:
        json.dump(T, open(os.path.join(share, "timings.json"), "w"), indent=1, default=str)
        if not os.environ.get("PROBE_KEEP_VM"):
            print(usbvm("stop", check=False)[0], flush=True)


if __name__ == "__main__":
    main()
