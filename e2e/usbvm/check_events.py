#!/usr/bin/env python3
"""Check the events an AutoWeave runtime wrote during an e2e run against the plug/unplug actions
run-e2e.sh performed. Python 3 standard library only.

usage: check_events.py --actions ACTIONS.jsonl --events EVENTS.jsonl [--expected expected-devices.json]
                       [--require-sources libusb,udev] [--ignore-vendor 1d6b] [--report REPORT.json]

ACTIONS.jsonl (written by run-e2e.sh), one object per line:
  {"seq": 1, "kind": "kbd", "id": "e2ekbd1", "action": "attach", "port": "1", "t": 1700000000.12}
EVENTS.jsonl (written by the runtime at DATA/events.jsonl), one object per line with at least:
  {"action": "attach"|"detach", "vendor_id": "0627", "product_id": "0001",
   "serial_number": "68284-0000:00:04.0-1", "sources": ["libusb", "udev"]}
  vendor_id/product_id may be "0627", "0x0627" or an integer; sources a list or a comma-separated string;
  action synonyms (add/added/arrived, remove/removed/left) are accepted.

Verdict: every action must be matched by exactly one event of the same action with the expected
vendor/product/serial of its kind, in the order the actions happened, and each matched event's sources
must contain every required source. Events not matched by an action fail the run, except those of
ignored vendors (default 1d6b, the Linux root hubs, which a runtime may report when it enumerates at
start). Exit status: 0 pass, 1 fail, 2 bad input. The last line is 'e2e: N passed, M failed'.
"""
import argparse, difflib, json, os, sys
from collections import Counter, defaultdict

ACTION_SYNONYMS = {
    "attach": "attach", "attached": "attach", "add": "attach", "added": "attach", "arrived": "attach",
    "connect": "attach", "connected": "attach", "plug": "attach", "plugged": "attach",
    "detach": "detach", "detached": "detach", "remove": "detach", "removed": "detach", "left": "detach",
    "disconnect": "detach", "disconnected": "detach", "unplug": "detach", "unplugged": "detach",
}


def norm_id(v):
    """'0627', '0x0627', 1575, '627' -> '0627'; None -> None."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return format(v & 0xFFFF, "04x")
    s = str(v).strip().lower()
    if s.startswith("0x"):
        s = s[2:]
    try:
        return format(int(s, 16), "04x")
    except ValueError:
        return s


def norm_action(v):
    return ACTION_SYNONYMS.get(str(v).strip().lower(), str(v).strip().lower())


def norm_sources(v):
    if v is None:
        return []
    if isinstance(v, str):
        v = v.split(",")
    return sorted({str(x).strip().lower() for x in v if str(x).strip()})


def read_jsonl(path, what):
    rows, errors = [], []
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
                errors.append(f"{what} line {n}: not a JSON object ({e}): {line[:120]}")
                continue
            obj["_line"] = n
            rows.append(obj)
    return rows, errors


def expected_key(action, expected):
    spec = expected.get(action["kind"])
    if spec is None:
        raise KeyError(f"no expectation for kind {action['kind']!r}")
    serial = spec.get("serial_number")
    if serial is not None:
        serial = serial.format(port=action.get("port", "?"), id=action.get("id", "?"))
    return (norm_action(action["action"]), norm_id(spec["vendor_id"]), norm_id(spec["product_id"]), serial)


def event_key(ev):
    serial = ev.get("serial_number")
    return (norm_action(ev.get("action")), norm_id(ev.get("vendor_id")), norm_id(ev.get("product_id")),
            None if serial is None else str(serial))


def fmt_key(k):
    return f"{k[0]} {k[1]}:{k[2]} serial={k[3]!r}"


def check(actions, events, expected, required_sources, ignore_vendors):
    """Returns (report dict, list of failure strings)."""
    failures = []
    extra = 0
    ignored = [e for e in events if norm_id(e.get("vendor_id")) in ignore_vendors]
    evs = [e for e in events if norm_id(e.get("vendor_id")) not in ignore_vendors]
    exp_keys = [expected_key(a, expected) for a in actions]
    got_keys = [event_key(e) for e in evs]
    matched = {}  # action index -> event index
    sm = difflib.SequenceMatcher(None, exp_keys, got_keys, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                matched[i1 + k] = j1 + k
            continue
        for i in range(i1, i2):
            a = actions[i]
            failures.append(f"action #{a.get('seq', i + 1)} {a['action']} {a['kind']} id={a.get('id')} "
                            f"port={a.get('port')}: no matching event (expected {fmt_key(exp_keys[i])})")
        for j in range(j1, j2):
            e = evs[j]
            dup = any(got_keys[j] == exp_keys[i] for i in range(len(exp_keys)))
            why = "duplicate or out-of-order" if dup else "unexpected"
            extra += 1
            failures.append(f"event at events line {e['_line']}: {why}: {fmt_key(got_keys[j])} "
                            f"sources={norm_sources(e.get('sources'))}")
    src_fail = 0
    for i, j in sorted(matched.items()):
        have = set(norm_sources(evs[j].get("sources")))
        missing = [s for s in required_sources if s not in have]
        if missing:
            src_fail += 1
            a = actions[i]
            failures.append(f"action #{a.get('seq', i + 1)} {a['action']} {a['kind']}: event at line "
                            f"{evs[j]['_line']} lacks source(s) {missing} (has {sorted(have)})")
    per_kind = defaultdict(Counter)
    for i, a in enumerate(actions):
        c = per_kind[a["kind"]]
        c[a["action"] + "_expected"] += 1
        if i in matched:
            c[a["action"] + "_matched"] += 1
    report = {
        "actions": len(actions), "events": len(events), "ignored_events": len(ignored),
        "matched": len(matched), "source_failures": src_fail, "extra_events": extra, "failures": failures,
        "per_kind": {k: dict(v) for k, v in per_kind.items()},
        "sources_seen": dict(Counter(",".join(norm_sources(e.get("sources"))) for e in evs)),
    }
    return report, failures


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--actions", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--expected", default=os.path.join(here, "expected-devices.json"))
    ap.add_argument("--require-sources", default="libusb,udev",
                    help="comma-separated; every matched event must list each of them (empty: no check)")
    ap.add_argument("--ignore-vendor", default="1d6b", help="comma-separated vendor ids whose events are ignored")
    ap.add_argument("--report", help="write a JSON report here")
    a = ap.parse_args(argv)
    for p in (a.actions, a.expected):
        if not os.path.exists(p):
            print(f"check_events: {p} not found", file=sys.stderr)
            return 2
    with open(a.expected) as f:
        expected = json.load(f)
    actions, aerr = read_jsonl(a.actions, "actions")
    if aerr:
        print("\n".join(aerr), file=sys.stderr)
        return 2
    if os.path.exists(a.events):
        events, eerr = read_jsonl(a.events, "events")
    else:
        events, eerr = [], [f"events file {a.events} not found (did the runtime write DATA/events.jsonl?)"]
    required = [s.strip().lower() for s in a.require_sources.split(",") if s.strip()]
    ignore = {norm_id(v) for v in a.ignore_vendor.split(",") if v.strip()}
    try:
        report, failures = check(actions, events, expected, required, ignore)
    except KeyError as e:
        print(f"check_events: {e}", file=sys.stderr)
        return 2
    failures = eerr + failures
    report["failures"] = failures
    if a.report:
        with open(a.report, "w") as f:
            json.dump(report, f, indent=1)
    print(f"actions={report['actions']} events={report['events']} (ignored {report['ignored_events']}) "
          f"matched={report['matched']} required_sources={required}")
    for kind, c in report["per_kind"].items():
        print(f"  {kind:8s} attach {c.get('attach_matched', 0)}/{c.get('attach_expected', 0)}"
              f"  detach {c.get('detach_matched', 0)}/{c.get('detach_expected', 0)}")
    print(f"  sources seen: {report['sources_seen']}")
    for f in failures[:200]:
        print("FAIL " + f)
    if len(failures) > 200:
        print(f"FAIL ... and {len(failures) - 200} more")
    ok_count = report["matched"] - report["source_failures"]
    failed = (len(actions) - ok_count) + report["extra_events"] + len(eerr)
    if failures and failed == 0:
        failed = 1
    print(f"e2e: {ok_count} passed, {failed} failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
