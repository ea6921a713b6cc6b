"""Unit tests of check_events.py (stdlib unittest): python3 -m unittest discover -s e2e/usbvm/tests"""
import io, json, os, sys, tempfile, unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import check_events  # noqa: E402

KBD = ("627", "1", "68284-0000:00:04.0-1")
STICK = ("46f4", "1", "AWFIXED")


def kernel(ts, action, port, dev, seq):
    vid, pid, serial = dev
    out = [f"KERNEL[{ts:.6f}] {action}      /devices/pci0000:00/0000:00:04.0/usb1/{port} (usb)",
           f"ACTION={action}", f"DEVPATH=/devices/pci0000:00/0000:00:04.0/usb1/{port}", "SUBSYSTEM=usb",
           "DEVTYPE=usb_device", f"PRODUCT={vid}/{pid}/0", "TYPE=0/0/0", f"SEQNUM={seq}", ""]
    if action == "add":
        out += [f"UDEV  [{ts + 0.05:.6f}] add      /devices/pci0000:00/0000:00:04.0/usb1/{port} (usb)",
                "ACTION=add", "DEVTYPE=usb_device", f"ID_SERIAL_SHORT={serial}", f"SEQNUM={seq}", ""]
    return out


def event(action, port, dev, ts, seq, sources=("libusb", "udev"), **extra):
    vid, pid, serial = dev
    vid, pid = check_events.norm_id(vid), check_events.norm_id(pid)
    e = {"event_id": f"id{seq}", "action": action, "timestamp": int((ts + 0.1) * 1000), "vendor_id": vid,
         "product_id": pid, "serial_number": serial, "device_class": 0, "device_subclass": 0,
         "device_protocol": 0, "bcd_device": 0, "port_path": port, "sources": list(sources), "seq": seq,
         "device_signature": check_events.signature_v2(int(vid, 16), int(pid, 16), 0, 0, 0, 0, serial)}
    e.update(extra)
    return e


class CheckTest(unittest.TestCase):

    def run_check(self, udev_lines, events, required="libusb,udev"):
        d = tempfile.mkdtemp()
        with open(os.path.join(d, "udev.log"), "w") as f:
            f.write("\n".join(udev_lines) + "\n")
        with open(os.path.join(d, "events.jsonl"), "w") as f:
            for e in events:
                f.write(json.dumps(e) + "\n")
        with open(os.path.join(d, "clock.txt"), "w") as f:
            f.write("wall=0 mono=0\n")  # guest wall clock == monotonic in these tests
        out = io.StringIO()
        with redirect_stdout(out):
            rc = check_events.main(["--udev", os.path.join(d, "udev.log"), "--events", os.path.join(d, "events.jsonl"),
                                    "--clock", os.path.join(d, "clock.txt"), "--require-sources", required,
                                    "--report", os.path.join(d, "r.json")])
        with open(os.path.join(d, "r.json")) as f:
            return rc, json.load(f), out.getvalue()

    def plug_unplug(self):
        return kernel(10, "add", "1-1", KBD, 1) + kernel(15, "remove", "1-1", KBD, 2)

    def test_one_attach_and_one_detach_with_both_sources_pass(self):
        rc, r, out = self.run_check(self.plug_unplug(), [event("attach", "1-1", KBD, 10, 1),
                                                         event("detach", "1-1", KBD, 15, 2)])
        self.assertEqual(0, rc, out)
        self.assertIn("e2e: 2 passed, 0 failed", out)

    def test_a_missing_detach_fails(self):
        rc, r, out = self.run_check(self.plug_unplug(), [event("attach", "1-1", KBD, 10, 1)])
        self.assertEqual(1, rc)
        self.assertTrue(any("no event" in f for f in r["failures"]), r["failures"])

    def test_a_second_attach_for_one_plug_fails(self):
        rc, r, out = self.run_check(self.plug_unplug(), [event("attach", "1-1", KBD, 10, 1),
                                                         event("attach", "1-1", KBD, 11, 2),
                                                         event("detach", "1-1", KBD, 15, 3)])
        self.assertEqual(1, rc)
        self.assertTrue(any("2 events for one stable attach" in f for f in r["failures"]), r["failures"])

    def test_a_late_source_in_an_update_line_completes_the_event(self):
        events = [event("attach", "1-1", KBD, 10, 1, sources=["libusb"]),
                  {"type": "update", "event_id": "id1", "sources": ["libusb", "udev"]},
                  event("detach", "1-1", KBD, 15, 2)]
        rc, r, out = self.run_check(self.plug_unplug(), events)
        self.assertEqual(0, rc, out)

    def test_a_missing_source_fails(self):
        rc, r, out = self.run_check(self.plug_unplug(), [event("attach", "1-1", KBD, 10, 1, sources=["libusb"]),
                                                         event("detach", "1-1", KBD, 15, 2)])
        self.assertEqual(1, rc)
        self.assertTrue(any("lacks ['udev']" in f for f in r["failures"]), r["failures"])

    def test_a_signature_its_fields_do_not_reproduce_fails(self):
        bad = event("attach", "1-1", KBD, 10, 1, device_signature="0" * 64)
        rc, r, out = self.run_check(self.plug_unplug(), [bad, event("detach", "1-1", KBD, 15, 2)])
        self.assertEqual(1, rc)
        self.assertTrue(any("not reproducible" in f for f in r["failures"]), r["failures"])

    def test_a_flap_run_may_collapse_but_must_start_and_end_like_the_kernel(self):
        udev, seq = [], 0
        t = 10.0
        for _ in range(5):
            seq += 1
            udev += kernel(t, "add", "1-2", STICK, seq)
            seq += 1
            udev += kernel(t + 0.3, "remove", "1-2", STICK, seq)
            t += 0.6
        seq += 1
        udev += kernel(t, "add", "1-2", STICK, seq)
        # leading attach, settled detach, final attach: 3 events for 11 kernel actions
        good = [event("attach", "1-2", STICK, 10, 1), event("detach", "1-2", STICK, 10.6, 2),
                event("attach", "1-2", STICK, t, 3)]
        rc, r, out = self.run_check(udev, good)
        self.assertEqual(0, rc, out)
        ends_wrong = good[:2]
        rc, r, out = self.run_check(udev, ends_wrong)
        self.assertEqual(1, rc)
        self.assertTrue(any("kernel ended with attach" in f for f in r["failures"]), r["failures"])

    def test_two_signatures_for_one_physical_device_fail(self):
        udev = self.plug_unplug() + kernel(20, "add", "1-1", KBD, 3) + kernel(25, "remove", "1-1", KBD, 4)
        other = event("attach", "1-1", KBD, 20, 3)
        other["serial_number"] = None
        other["device_signature"] = check_events.signature_v2(0x627, 1, 0, 0, 0, 0, None)
        rc, r, out = self.run_check(udev, [event("attach", "1-1", KBD, 10, 1), event("detach", "1-1", KBD, 15, 2),
                                           other, event("detach", "1-1", KBD, 25, 4)])
        self.assertEqual(1, rc)
        self.assertTrue(any("2 signatures" in f for f in r["failures"]), r["failures"])

    def test_stream_order_must_be_seq_order(self):
        rc, r, out = self.run_check(self.plug_unplug(), [event("attach", "1-1", KBD, 10, 2),
                                                         event("detach", "1-1", KBD, 15, 1)])
        self.assertEqual(1, rc)
        self.assertEqual(1, r["seq_inversions"])

    def test_a_reconciled_detach_counts_as_complete(self):
        rc, r, out = self.run_check(self.plug_unplug(), [event("attach", "1-1", KBD, 10, 1),
                                                         event("detach", "1-1", KBD, 30, 2, sources=["reconcile"])])
        self.assertEqual(0, rc, out)

    def test_root_hub_and_interface_records_are_not_devices(self):
        udev = ["KERNEL[1.0] add      /devices/pci0000:00/0000:00:04.0/usb1 (usb)", "ACTION=add",
                "DEVTYPE=usb_device", "PRODUCT=1d6b/2/601", "SEQNUM=1", ""]
        self.assertEqual([], self._parse(udev))

    def _parse(self, lines):
        d = tempfile.mkdtemp()
        p = os.path.join(d, "u.log")
        with open(p, "w") as f:
            f.write("\n".join(lines) + "\n")
        return check_events.parse_udev(p)


if __name__ == "__main__":
    unittest.main()
