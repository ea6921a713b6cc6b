"""Unit tests of check_events.py (stdlib unittest): python3 -m unittest discover -s e2e/usbvm/tests"""
import io, json, os, sys, tempfile, unittest
from contextlib import redirect_stdout, redirect_stderr

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import check_events  # noqa: E402

EXPECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "expected-devices.json")


def action_rows(spec):
    """spec: list of (kind, id, port) -> attach+detach actions in order."""
    rows, seq = [], 0
    for kind, dev_id, port in spec:
        for act in ("attach", "detach"):
            seq += 1
            rows.append({"seq": seq, "kind": kind, "id": dev_id, "action": act, "port": str(port)})
    return rows


def ev(action, vid, pid, serial, sources=("libusb", "udev"), **extra):
    d = {"action": action, "vendor_id": vid, "product_id": pid, "serial_number": serial, "sources": list(sources)}
    d.update(extra)
    return d


def good_events(spec):
    with open(EXPECTED) as f:
        exp = json.load(f)
    out = []
    for kind, dev_id, port in spec:
        e = exp[kind]
        serial = e["serial_number"].format(port=port, id=dev_id)
        out.append(ev("attach", e["vendor_id"], e["product_id"], serial))
        out.append(ev("detach", e["vendor_id"], e["product_id"], serial))
    return out


SPEC = [("kbd", "e2ekbd1", 1), ("kbd", "e2ekbd2", 2), ("storage", "e2estorage1", 3), ("serial", "e2eserial1", 4),
        ("tablet", "e2etablet1", 1), ("kbd", "e2ekbd3", 1)]


class CheckEventsTest(unittest.TestCase):
    def run_check(self, actions, events, *args, raw_events=None):
        with tempfile.TemporaryDirectory() as d:
            ap, ep, rp = (os.path.join(d, n) for n in ("a.jsonl", "e.jsonl", "r.json"))
            with open(ap, "w") as f:
                f.writelines(json.dumps(a) + "\n" for a in actions)
            if events is not None or raw_events is not None:
                with open(ep, "w") as f:
                    f.write(raw_events if raw_events is not None else "".join(json.dumps(e) + "\n" for e in events))
            out = io.StringIO()
            with redirect_stdout(out), redirect_stderr(io.StringIO()):
                rc = check_events.main(["--actions", ap, "--events", ep, "--expected", EXPECTED, "--report", rp, *args])
            report = None
            if os.path.exists(rp):
                with open(rp) as f:
                    report = json.load(f)
            return rc, out.getvalue(), report

    def test_all_matched_passes(self):
        rc, out, rep = self.run_check(action_rows(SPEC), good_events(SPEC))
        self.assertEqual(rc, 0, out)
        self.assertIn("e2e: 12 passed, 0 failed", out)
        self.assertEqual(rep["matched"], 12)

    def test_root_hub_events_are_ignored(self):
        evs = [ev("attach", "1d6b", "0002", "0000:00:04.0"), ev("attach", "1d6b", "0003", "0000:00:04.0")] + good_events(SPEC)
        rc, out, rep = self.run_check(action_rows(SPEC), evs)
        self.assertEqual(rc, 0, out)
        self.assertEqual(rep["ignored_events"], 2)

    def test_id_and_action_spellings_are_normalised(self):
        evs = good_events(SPEC[:1])
        evs[0].update(vendor_id="0x0627", product_id=1, action="ARRIVED", sources="udev, libusb")
        evs[1].update(vendor_id="627", action="removed")
        rc, out, _ = self.run_check(action_rows(SPEC[:1]), evs)
        self.assertEqual(rc, 0, out)

    def test_missing_detach_fails(self):
        evs = good_events(SPEC)
        del evs[3]  # detach of e2ekbd2
        rc, out, _ = self.run_check(action_rows(SPEC), evs)
        self.assertEqual(rc, 1)
        self.assertIn("action #4 detach kbd id=e2ekbd2", out)
        self.assertIn("e2e: 11 passed, 1 failed", out)

    def test_duplicate_attach_fails(self):
        evs = good_events(SPEC)
        evs.insert(1, dict(evs[0]))
        rc, out, _ = self.run_check(action_rows(SPEC), evs)
        self.assertEqual(rc, 1)
        self.assertIn("duplicate or out-of-order", out)

    def test_wrong_serial_fails(self):
        evs = good_events(SPEC)
        evs[4]["serial_number"] = "AWsomethingelse"
        rc, out, _ = self.run_check(action_rows(SPEC), evs)
        self.assertEqual(rc, 1)
        self.assertIn("action #5 attach storage", out)
        self.assertIn("unexpected", out)

    def test_kinds_sharing_vendor_product_are_told_apart_by_serial(self):
        # kbd and tablet are both 0627:0001; an event with the keyboard serial does not satisfy a tablet action
        spec = [("tablet", "e2etablet1", 1)]
        evs = good_events([("kbd", "x", 1)])
        rc, out, _ = self.run_check(action_rows(spec), evs)
        self.assertEqual(rc, 1)

    def test_missing_source_fails_and_can_be_relaxed(self):
        evs = good_events(SPEC)
        for e in evs:
            e["sources"] = ["udev"]
        rc, out, _ = self.run_check(action_rows(SPEC), evs)
        self.assertEqual(rc, 1)
        self.assertIn("lacks source(s) ['libusb']", out)
        rc, out, _ = self.run_check(action_rows(SPEC), evs, "--require-sources", "udev")
        self.assertEqual(rc, 0, out)

    def test_missing_events_file_fails(self):
        rc, out, _ = self.run_check(action_rows(SPEC), None)
        self.assertEqual(rc, 1)
        self.assertIn("not found", out)

    def test_bad_json_line_fails(self):
        raw = "".join(json.dumps(e) + "\n" for e in good_events(SPEC)) + "{not json\n"
        rc, out, _ = self.run_check(action_rows(SPEC), None, raw_events=raw)
        self.assertEqual(rc, 1)
        self.assertIn("not a JSON object", out)

    def test_unknown_kind_is_an_input_error(self):
        rc, _, _ = self.run_check([{"seq": 1, "kind": "toaster", "id": "t", "action": "attach", "port": "1"}], [])
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main()
