#!/bin/sh
# Fake "runtime" for validating run-e2e.sh without the real jar (run-e2e.sh --fake puts this in the
# share and the guest autorun runs it instead of `java -jar autoweave.jar`). It behaves like the runtime
# as far as the harness can see: prints the ready line once udev events flow, writes DATA/events.jsonl,
# exits on SIGTERM.
DATA=${AUTOWEAVE_DATA:-/tmp/autoweave-data}
mkdir -p "$DATA"; : > "$DATA/events.jsonl"
stdbuf -oL udevadm monitor --udev --property --subsystem-match=usb | perl /mnt/share/fake/udev2jsonl.pl "$DATA/events.jsonl" &
PIPE=$!
sleep 1
echo "fake runtime: AutoWeave ready (data $DATA)"
trap 'echo "fake runtime: stopping"; pkill -P $$ ; kill $PIPE 2>/dev/null; exit 0' TERM INT
while :; do sleep 1; done
