#!/usr/bin/env python3
"""Check the events an AutoWeave runtime wrote during an e2e run against what the guest's kernel really did.
Python 3 standard library only.

usage: check_events.py --udev udev-monitor.log --events EVENTS.jsonl [--clock clock.txt] [--actions actions.jsonl]
                       [--require-sources libusb,udev] [--ignore-vendor 1d6b] [--report R.json] [--table T.md]

Truth: the KERNEL add/remove records of USB devices (DEVTYPE=usb_device) in `udevadm monitor --kernel --udev
--property` output, with the serial from udev's record of the same uevent (ID_SERIAL_SHORT). A physical device is
(port, vendor:product, serial).

Events: one JSON object per line, as the runtime's journal (DATA/events.jsonl) writes them, or the event log
export: lines {"type": "update", "event_id": ..., "sources": [...]} (or "source": "...") add sources to the
earlier event with that event_id and are folded into it; both kinds of file are accepted.

How flaps are counted: the kernel actions of one port are cut into runs wherever two actions are FLAP_GAP (2 s,
four debounce windows) or more apart. A run of one action is a stable action and must give exactly one event. A
longer run is a flap the runtime may collapse (it debounces per device, 500 ms, leading edge): it must give at
least one event and at most one per kernel action, its first event is the run's first action (leading edge) and
its last event is the run's last action (the device ends where the kernel left it).

Checks (each failure names the port and time):
  - every run gets its events as above, and per port the events alternate attach/detach from "detached";
  - vendor, product and serial of each event are the kernel's for that port and time;
  - one signature per physical device, and every signature is reproducible from its event's own fields
    (identity v2, see bundles/usb.pipeline/README.md);
  - every event of a stable action, and the last event of a run that leaves a device plugged, lists every
    required source after folding updates (a detach with the only source "reconcile" counts as complete: no
    live source can see a device leave while the runtime is down);
  - the final state of every port is the kernel's;
  - stream order is seq order (no line with a smaller seq after a larger one).
Exit status: 0 pass, 1 fail, 2 bad input. The last line is 'e2e: N passed, M failed'.
"""
import argparse, hashlib, json, os, re, struct, sys
from collections import defaultdict

FLAP_GAP = 2.0
EVENT_SLACK = 0.5  # an event may be stamped slightly before udevadm received the uevent (two clocks)
HEADER = re.compile(r"^(KERNEL|UDEV)\s*\[(\d+\.\d+)\]\s+(\S+)\s+(\S+)\s+\((\S+)\)\s*$")
ACTIONS = {"attach": "attach", "add": "attach", "arrived": "attach", "detach": "detach", "remove": "detach",
           "left": "detach"}


def norm_id(v):
    if v is None:
        return None
    if isinstance(v, int) and not isinstance(v, bool):
        return format(v & 0xFFFF, "04x")
    s = str(v).strip().lower()
    s = s[2:] if s.startswith("0x") else s
    try:
        return format(int(s, 16), "04x")
    except ValueError:
        return s


def norm_sources(v):
    if v is None:
        return set()
    if isinstance(v, str):
        v = v.split(",")
    return {str(x).strip().lower() for x in v if str(x).strip()}


def signature_v2(vid, pid, bcd, cls, sub, proto, serial):
    """The pipeline's identity v2 (bundles/usb.pipeline/README.md), from an event's own fields."""
    def s(v):
        if v is None:
            return b"\0"
        b = v.encode("utf-8")
        return b"\1" + struct.pack(">i", len(b)) + b

    def i(v):
        return struct.pack(">i", int(v))
    data = (s("autoweave-usb-identity/v2") + i(vid) + i(pid) + i(bcd) + i(cls) + i(sub) + i(proto) + s(serial))
    return hashlib.sha256(data).hexdigest()


def parse_udev(path):
    """Kernel add/remove of USB devices, in order: dicts with ts, action, port, vid, pid, serial, seqnum."""
    blocks, cur = [], None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = HEADER.match(line)
            if m:
                cur = {"origin": m.group(1), "ts": float(m.group(2)), "action": m.group(3), "devpath": m.group(4),
                       "props": {}}
                blocks.append(cur)
            elif cur is not None and "=" in line:
                k, v = line.split("=", 1)
                cur["props"][k] = v
            elif not line.strip():
                cur = None
    serial_by_seq = {}
    for b in blocks:
        if b["origin"] == "UDEV" and b["action"] == "add":
            sn = b["props"].get("ID_SERIAL_SHORT")
            if sn:
                serial_by_seq[b["props"].get("SEQNUM")] = sn
    truth, last_serial, current = [], {}, {}
    for b in blocks:
        p = b["props"]
        if b["origin"] != "KERNEL" or b["action"] not in ("add", "remove") or p.get("DEVTYPE") != "usb_device":
            continue
        port = b["devpath"].rsplit("/", 1)[-1]
        if re.fullmatch(r"usb\d+", port) or ":" in port:
            continue
        prod = (p.get("PRODUCT") or "").split("/")
        vid, pid = norm_id(prod[0]) if prod[0] else None, norm_id(prod[1]) if len(prod) > 1 else None
        if b["action"] == "add":
            serial = serial_by_seq.get(p.get("SEQNUM"), last_serial.get((port, vid, pid)))
            last_serial[(port, vid, pid)] = serial
            current[port] = serial
        else:
            serial = current.pop(port, last_serial.get((port, vid, pid)))
        truth.append({"ts": b["ts"], "action": ACTIONS[b["action"]], "port": port, "vid": vid, "pid": pid,
                      "serial": serial, "seqnum": p.get("SEQNUM")})
    return truth


def read_events(path):
    """(events in file order with updates folded in, errors)."""
    events, updates, errors = [], [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
            except ValueError as e:
                errors.append(f"events line {n}: not a JSON object ({e})")
                continue
            obj["_line"] = n
            if obj.get("type") == "update":
                updates.append(obj)
            elif obj.get("type") in (None, "event", "usb") and "action" in obj:
                obj["_sources"] = norm_sources(obj.get("sources"))
                events.append(obj)
    by_id = {e.get("event_id"): e for e in events if e.get("event_id")}
    for u in updates:
        e = by_id.get(u.get("event_id"))
        if e is None:
            errors.append(f"events line {u['_line']}: update of unknown event {u.get('event_id')}")
            continue
        if u["_line"] < e["_line"]:
            errors.append(f"events line {u['_line']}: update before its event (line {e['_line']})")
        e["_sources"] |= norm_sources(u.get("sources")) | norm_sources(u.get("source"))
    return events, errors


LATE = re.compile(r"USB late merge: (\S+) joined event (\S+) .* sources \[([^\]]*)\]")


def fold_late_merges(events, path):
    """The runtime logs each late merge; a journal line written before it lacks that source."""
    by_id = {e.get("event_id"): e for e in events if e.get("event_id")}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LATE.search(line)
            if m and m.group(2) in by_id:
                by_id[m.group(2)]["_sources"] |= norm_sources(m.group(3)) | {m.group(1).lower()}


def runs_of(actions):
    runs = []
    for a in actions:
        if runs and a["ts"] - runs[-1][-1]["ts"] < FLAP_GAP:
            runs[-1].append(a)
        else:
            runs.append([a])
    return runs


PENALTY = 1000.0


def assign(runs, events):
    """Splits a port's events (file order) into one block per run: the split that breaks fewest rules (a run gets
    1..len(run) events, starting with its first action and ending with its last), then fits the clock best. The
    order of events is the runtime's, so a source lagging by seconds (udev under load) shifts events in time but
    never across the order; the clock only breaks ties."""
    k, n = len(runs), len(events)
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    choice = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for i, r in enumerate(runs):
        lo = r[0]["ts"] - 2.0
        hi = (runs[i + 1][0]["ts"] if i + 1 < k else float("inf")) + 10.0
        for j in range(n + 1):
            if best[i][j] == inf:
                continue
            for m in range(0, n - j + 1):
                cost = 0.0
                if m == 0:
                    cost += PENALTY
                else:
                    if m > len(r):
                        cost += PENALTY * (m - len(r))
                    if events[j]["_action"] != r[0]["action"]:
                        cost += PENALTY
                    if events[j + m - 1]["_action"] != r[-1]["action"]:
                        cost += PENALTY
                    for e in events[j:j + m]:
                        tm = e["_mono"]
                        cost += max(0.0, lo - tm) + max(0.0, tm - hi)
                if best[i][j] + cost < best[i + 1][j + m]:
                    best[i + 1][j + m] = best[i][j] + cost
                    choice[i + 1][j + m] = m
    blocks, j = [], n
    for i in range(k, 0, -1):
        m = choice[i][j]
        blocks.append(events[j - m:j])
        j -= m
    return list(reversed(blocks))


def check(truth, events, offset, required, ignore, scenarios, host_offset, down=()):
    failures = []

    def is_down(ts):
        """Whether a kernel action happened while the runtime was stopped (host markers, host clock)."""
        host_t = ts + offset - host_offset
        return any(a - 1.0 <= host_t <= b for a, b in down)
    evs = [e for e in events if norm_id(e.get("vendor_id")) not in ignore]
    # stream order
    seqs = [e.get("seq") for e in evs if isinstance(e.get("seq"), int)]
    inversions = sum(1 for a, b in zip(seqs, seqs[1:]) if b <= a)
    if inversions:
        failures.append(("*", f"stream order differs from seq order at {inversions} place(s)"))
    for e in evs:
        e["_mono"] = (e.get("timestamp", 0) / 1000.0) - offset
        e["_action"] = ACTIONS.get(str(e.get("action")).lower(), str(e.get("action")))
    by_port_truth, by_port_events = defaultdict(list), defaultdict(list)
    for a in truth:
        by_port_truth[a["port"]].append(a)
    for e in evs:
        by_port_events[e.get("port_path")].append(e)
    signatures = defaultdict(set)
    rows = []  # one per run, for the table

    def scenario_of(ts):
        host_t = ts + offset - host_offset
        name = "(before)"
        for s in scenarios:
            if s["t"] <= host_t + 0.5:
                name = s["scenario"]
        return name

    for port in sorted(set(by_port_truth) | set(by_port_events), key=str):
        acts, es = by_port_truth.get(port, []), sorted(by_port_events.get(port, []), key=lambda e: e["_line"])
        runs = runs_of(acts)
        state = "detach"
        for e in es:
            if e["_action"] == state:
                failures.append((scenario_of(e["_mono"]), f"port {port}: event line {e['_line']}: {e['_action']} "
                                 f"while already {state}ed (no alternation)"))
            state = e["_action"]
        if not runs:
            for e in es:
                failures.append((scenario_of(e["_mono"]), f"port {port}: event line {e['_line']} {e['_action']} "
                                 f"where the kernel did nothing"))
            continue
        blocks = assign(runs, es)
        for k, r in enumerate(runs):
            got = blocks[k]
            scen = scenario_of(r[0]["ts"])
            row = {"scenario": scen, "port": port, "kernel": len(r), "events": len(got),
                   "attach": sum(1 for e in got if e["_action"] == "attach"),
                   "detach": sum(1 for e in got if e["_action"] == "detach"), "ok": True,
                   "device": f"{r[0]['vid']}:{r[0]['pid']} {r[0]['serial']}",
                   "sources": sorted({",".join(sorted(e["_sources"])) for e in got})}
            rows.append(row)
            where = f"port {port} at {r[0]['ts']:.2f}s ({len(r)} kernel action(s), {r[0]['vid']}:{r[0]['pid']})"

            def fail(msg):
                row["ok"] = False
                failures.append((scen, f"{where}: {msg}"))
            if not got:
                fail("no event")
                continue
            if len(r) == 1 and len(got) != 1:
                fail(f"{len(got)} events for one stable {r[0]['action']} "
                     f"({[e['_action'] for e in got]}, lines {[e['_line'] for e in got]})")
            elif len(got) > len(r):
                fail(f"{len(got)} events for {len(r)} kernel actions")
            if got[0]["_action"] != r[0]["action"]:
                fail(f"first event is {got[0]['_action']}, the kernel's first action {r[0]['action']}")
            if got[-1]["_action"] != r[-1]["action"]:
                fail(f"last event is {got[-1]['_action']}, the kernel ended with {r[-1]['action']}")
            for i, e in enumerate(got):
                truth_a = r[min(i, len(r) - 1)]
                if (norm_id(e.get("vendor_id")), norm_id(e.get("product_id"))) != (truth_a["vid"], truth_a["pid"]):
                    fail(f"event line {e['_line']}: {norm_id(e.get('vendor_id'))}:{norm_id(e.get('product_id'))}, "
                         f"the kernel's {truth_a['vid']}:{truth_a['pid']}")
                if truth_a["serial"] is not None and e.get("serial_number") != truth_a["serial"]:
                    fail(f"event line {e['_line']}: serial {e.get('serial_number')!r}, the kernel's "
                         f"{truth_a['serial']!r}")
                sig = e.get("device_signature")
                try:
                    bcd = e.get("bcd_device")
                    bcd = int(bcd, 16) if isinstance(bcd, str) else int(bcd or 0)
                    again = signature_v2(int(norm_id(e.get("vendor_id")), 16), int(norm_id(e.get("product_id")), 16),
                                         bcd, e.get("device_class") or 0, e.get("device_subclass") or 0,
                                         e.get("device_protocol") or 0, e.get("serial_number"))
                except (TypeError, ValueError):
                    again = None
                if sig != again:
                    fail(f"event line {e['_line']}: signature {str(sig)[:12]} not reproducible from its fields "
                         f"({str(again)[:12]})")
                signatures[(port, truth_a["vid"], truth_a["pid"], truth_a["serial"])].add(sig)
            # sources: stable actions, and the final event of a run that leaves the device plugged for a while
            pos = acts.index(r[-1])
            nxt = acts[pos + 1]["ts"] if pos + 1 < len(acts) else None
            check_src = [got[0]] if len(r) == 1 else []
            if len(r) > 1 and r[-1]["action"] == "attach" and (nxt is None or nxt - r[-1]["ts"] >= FLAP_GAP):
                check_src.append(got[-1])
            need = [s for s in required if not (is_down(r[0]["ts"]) and s == "udev")]
            for e in check_src:
                have = e["_sources"]
                if have == {"reconcile"} and e["_action"] == "detach":
                    continue
                missing = [s for s in need if s not in have]
                if missing:
                    fail(f"event line {e['_line']} {e['_action']} lacks {missing} (has {sorted(have)})")
        if acts and state != acts[-1]["action"]:
            failures.append(("*", f"port {port}: final state {state}ed, the kernel's {acts[-1]['action']}ed"))
    for dev, sigs in signatures.items():
        if len(sigs) > 1:
            failures.append(("*", f"device {dev}: {len(sigs)} signatures {sorted(str(s)[:12] for s in sigs)}"))
    return rows, failures, inversions, signatures


def table(rows, failures, signatures):
    by = defaultdict(lambda: {"kernel_add": 0, "kernel_remove": 0, "runs": 0, "flap_runs": 0, "attach": 0,
                              "detach": 0, "failed_runs": 0, "ports": set(), "devices": set()})
    for r in rows:
        b = by[r["scenario"]]
        b["runs"] += 1
        b["flap_runs"] += r["kernel"] > 1
        b["attach"] += r["attach"]
        b["detach"] += r["detach"]
        b["failed_runs"] += not r["ok"]
        b["ports"].add(r["port"])
        b["devices"].add(r["device"])
    lines = ["| scenario | kernel actions | runs (flap runs) | events attach / detach | devices | failed runs |",
             "|---|---|---|---|---|---|"]
    for name, b in by.items():
        kernel = sum(r["kernel"] for r in rows if r["scenario"] == name)
        lines.append(f"| {name} | {kernel} | {b['runs']} ({b['flap_runs']}) | {b['attach']} / {b['detach']} | "
                     f"{len(b['devices'])} on ports {','.join(sorted(b['ports']))} | {b['failed_runs']} |")
    multi = sum(1 for s in signatures.values() if len(s) > 1)
    lines.append("")
    lines.append(f"physical devices: {len(signatures)}, with more than one signature: {multi}; "
                 f"failures: {len(failures)}")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--udev", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--clock", help="guest clock.txt: wall=EPOCH mono=UPTIME read together")
    ap.add_argument("--actions", help="actions.jsonl of run-e2e.sh (scenario markers, host wall clock)")
    ap.add_argument("--require-sources", default="libusb,udev")
    ap.add_argument("--runtime-log", help="runtime.log: 'USB late merge' lines add sources like update lines (for a "
                    "journal written before a late source joined)")
    ap.add_argument("--ignore-vendor", default="1d6b")
    ap.add_argument("--report")
    ap.add_argument("--table")
    a = ap.parse_args(argv)
    for p in (a.udev, a.events):
        if not os.path.exists(p):
            print(f"check_events: {p} not found", file=sys.stderr)
            return 2
    offset = 0.0
    if a.clock and os.path.exists(a.clock):
        with open(a.clock) as f:
            kv = dict(x.split("=", 1) for x in f.read().split() if "=" in x)
        offset = float(kv["wall"]) - float(kv["mono"])
    truth = parse_udev(a.udev)
    events, errors = read_events(a.events)
    scenarios, host_actions = [], []
    if a.actions and os.path.exists(a.actions):
        with open(a.actions) as f:
            for line in f:
                line = line.strip()
                if line:
                    o = json.loads(line)
                    (scenarios if "scenario" in o else host_actions).append(o)
    host_offset = 0.0  # guest wall clock minus host wall clock, from the first plug and the first kernel add
    if host_actions and truth:
        host_offset = (truth[0]["ts"] + offset) - host_actions[0]["t"] - 0.4
    required = [s.strip().lower() for s in a.require_sources.split(",") if s.strip()]
    ignore = {norm_id(v) for v in a.ignore_vendor.split(",") if v.strip()}
    down, stop_t = [], None
    for s in scenarios:
        if s.get("scenario") == "runtime-stop":
            stop_t = s["t"]
        elif s.get("scenario") == "runtime-ready" and stop_t is not None:
            down.append((stop_t, s["t"]))
            stop_t = None
    scenarios = [s for s in scenarios if s.get("scenario") not in ("runtime-stop", "runtime-ready")]
    if a.runtime_log and os.path.exists(a.runtime_log):
        fold_late_merges(events, a.runtime_log)
    rows, failures, inversions, signatures = check(truth, events, offset, required, ignore, scenarios, host_offset,
                                                   down)
    failures = [("*", e) for e in errors] + failures
    text = table(rows, failures, signatures)
    if a.table:
        with open(a.table, "w") as f:
            f.write(text + "\n")
    if a.report:
        with open(a.report, "w") as f:
            json.dump({"kernel_actions": len(truth), "events": len(events), "runs": rows,
                       "failures": [f"[{s}] {m}" for s, m in failures], "seq_inversions": inversions}, f, indent=1)
    print(f"kernel actions={len(truth)} events={len(events)} runs={len(rows)} required_sources={required}")
    print(text)
    for s, m in failures[:300]:
        print(f"FAIL [{s}] {m}")
    ok = sum(1 for r in rows if r["ok"])
    failed = sum(1 for r in rows if not r["ok"]) + sum(1 for s, _ in failures if s == "*")
    print(f"e2e: {ok} passed, {failed} failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
