#!/usr/bin/env bash
# End-to-end USB hot-plug test of the AutoWeave runtime in the usbvm guest (real Linux USB stack).
# Builds no Java: give it the runtime jar (bin/autoweave e2e builds it first). Builds the usbvm guest image
# when it is missing (needs root). See README.md beside this file.
#
#   run-e2e.sh [--jar PATH] [--kinds kbd,tablet,storage,serial] [--cycles N] [options]
#
#   --jar PATH            runtime jar (default: runtime/target/autoweave.jar of the repository holding this
#                         script, or $AUTOWEAVE_JAR)
#   --kinds LIST          device kinds to plug, comma-separated (default kbd,tablet,storage,serial;
#                         also mouse; each needs an entry in expected-devices.json)
#   --cycles N            plug/unplug cycles per kind (default 10)
#   --ready PATTERN       fixed string the runtime prints when ready (default "AutoWeave ready")
#   --ready-timeout S     seconds to wait for it after boot (default 420; a JVM under TCG is slow, more so
#                         on a busy host)
#   --boot-timeout S      seconds to wait for the guest to boot (default 420; usbvm itself gives up after 120)
#   --plug-wait S         seconds to leave a device plugged after the guest's udev saw it (default 2.5)
#   --unplug-wait S       seconds to wait after the guest's udev saw the removal (default 2)
#   --require-sources L   sources every event must list (default libusb,udev; "" for none)
#   --share DIR           share dir to use (default a new /tmp/autoweave-e2e.XXXX); results stay there
#   --java-opts STR       JVM options for the runtime in the guest (default
#                         "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC": quicker start under TCG)
#   --runtime-args STR    runtime arguments (default "--data $DATA_DIR --no-shell")
#   --data-dir DIR        runtime data dir inside the guest (default /tmp/autoweave-data)
#   --events-file NAME    events file inside the data dir (default events.jsonl)
#   --merge-window-ms N   the pipeline's merge window in the guest (default 4000: under TCG, udev's report
#                         of a device can trail libusb's by more than the 1500 ms real hardware needs; "" for
#                         the runtime's default)
#   --fake                no jar: run fake/autoweave-fake.sh (udev -> events.jsonl) to prove the harness
#   --keep-vm             leave the guest running at the end (default: usbvm stop)
#
# Exit status: 0 all checks passed, 1 checks failed, 2 harness/VM problem (no ready line, guest
# never saw a device, ...). Results in the share dir: actions.jsonl, events.jsonl, runtime.log,
# udev-monitor.log, autorun.log, check-report.json, timings.txt.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# usbvm lives beside the repository (<repo>/../shared/usb-vm/usbvm); $USBVM or one on PATH also do
if [ -z "${USBVM:-}" ]; then
  USBVM=$(cd "$REPO/.." && pwd)/shared/usb-vm/usbvm
  [ -x "$USBVM" ] || USBVM=$(command -v usbvm || echo "$USBVM")
fi
USBVM_HOME=${USBVM_HOME:-/var/tmp/usbvm}
JAR=${AUTOWEAVE_JAR:-$REPO/runtime/target/autoweave.jar}
KINDS=kbd,tablet,storage,serial
CYCLES=10
READY="AutoWeave ready"
READY_TIMEOUT=420
BOOT_TIMEOUT=420
PLUG_WAIT=2.5
UNPLUG_WAIT=2
REQUIRE_SOURCES=libusb,udev
SHARE=""
JAVA_OPTS="-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"  # C1 only: the JIT costs less emulated CPU at start
DATA_DIR=/tmp/autoweave-data
RUNTIME_ARGS=""
EVENTS_FILE=events.jsonl
MERGE_WINDOW_MS=4000
FAKE=0
KEEP_VM=0
SEEN_TIMEOUT=30

while (($#)); do
  case "$1" in
    --jar) JAR=$2; shift ;;
    --kinds) KINDS=$2; shift ;;
    --cycles) CYCLES=$2; shift ;;
    --ready) READY=$2; shift ;;
    --ready-timeout) READY_TIMEOUT=$2; shift ;;
    --boot-timeout) BOOT_TIMEOUT=$2; shift ;;
    --plug-wait) PLUG_WAIT=$2; shift ;;
    --unplug-wait) UNPLUG_WAIT=$2; shift ;;
    --require-sources) REQUIRE_SOURCES=$2; shift ;;
    --share) SHARE=$2; shift ;;
    --java-opts) JAVA_OPTS=$2; shift ;;
    --runtime-args) RUNTIME_ARGS=$2; shift ;;
    --merge-window-ms) MERGE_WINDOW_MS=$2; shift ;;
    --data-dir) DATA_DIR=$2; shift ;;
    --events-file) EVENTS_FILE=$2; shift ;;
    --fake) FAKE=1 ;;
    --keep-vm) KEEP_VM=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "run-e2e: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$RUNTIME_ARGS" ] || RUNTIME_ARGS="--data $DATA_DIR --no-shell"

die() { echo "run-e2e: $*" >&2; exit 2; }
log() { echo "[$(date +%T)] $*"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

[ -x "$USBVM" ] || die "usbvm not found at $USBVM (expected beside the repository: ../shared/usb-vm/usbvm; or set USBVM)"
command -v python3 >/dev/null || die "python3 needed on the host"
# usbvm checks for a running guest through its pid file; one that is running is not ours: leave it alone
if [ -f "$USBVM_HOME/qemu.pid" ] && kill -0 "$(cat "$USBVM_HOME/qemu.pid")" 2>/dev/null; then
  die "a usbvm guest is already running (pid $(cat "$USBVM_HOME/qemu.pid")): another run? (usbvm stop, if it is a leftover)"
fi
if [ ! -f "$USBVM_HOME/rootfs.ext4" ]; then
  [ "$(id -u)" = 0 ] || die "no usbvm image in $USBVM_HOME: building it needs root (sudo $USBVM image)"
  echo "run-e2e: building the usbvm guest image (once per machine, about 2 min)"
  "$USBVM" image || die "usbvm image failed"
fi
if ((FAKE == 0)); then [ -f "$JAR" ] || die "runtime jar $JAR not found (build it first, or --jar PATH, or --fake)"; fi
IFS=, read -r -a KIND_LIST <<< "$KINDS"
for k in "${KIND_LIST[@]}"; do
  case "$k" in kbd|mouse|tablet|storage|serial) ;; *) die "kind $k not supported (kbd, mouse, tablet, storage, serial)" ;; esac
  python3 -c "import json,sys; sys.exit(0 if sys.argv[2] in json.load(open(sys.argv[1])) else 1)" \
    "$HERE/expected-devices.json" "$k" || die "no entry for $k in expected-devices.json"
done

# ---- share dir ------------------------------------------------------------------------------
[ -n "$SHARE" ] || SHARE=$(mktemp -d /tmp/autoweave-e2e.XXXX)
mkdir -p "$SHARE"; SHARE=$(cd "$SHARE" && pwd)
rm -rf "$SHARE"/{.usbvm-ready,runtime.pid,.collect,.collected,.runtime-exited,events.jsonl,actions.jsonl,runtime.log,udev-monitor.log,autorun.log,check-report.json,timings.txt,data-after-stop,fake}
cp "$HERE/guest/autorun.sh" "$SHARE/autorun.sh"
{
  printf 'DATA_DIR=%q\nJAVA_OPTS=%q\nRUNTIME_ARGS=%q\nEVENTS_FILE=%q\nMERGE_WINDOW_MS=%q\n' "$DATA_DIR" "$JAVA_OPTS" \
    "$RUNTIME_ARGS" "$EVENTS_FILE" "$MERGE_WINDOW_MS"
  if ((FAKE)); then printf 'RUNTIME_CMD=%q\n' "sh /mnt/share/fake/autoweave-fake.sh"; fi
} > "$SHARE/e2e.env"
if ((FAKE)); then
  cp -r "$HERE/fake" "$SHARE/fake"
else
  cp "$JAR" "$SHARE/autoweave.jar"
fi
ACTIONS=$SHARE/actions.jsonl; : > "$ACTIONS"
TIMINGS=$SHARE/timings.txt; : > "$TIMINGS"
log "share $SHARE ($( ((FAKE)) && echo "fake runtime" || echo "jar $JAR"))"

# ---- QEMU monitor (for the serial work-around) ------------------------------------------------
hmp() {
  python3 - "$USBVM_HOME/monitor.sock" "$1" <<'PY'
import socket, sys, re
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(3)
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
read(); s.sendall((sys.argv[2] + "\n").encode()); out = read()
out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", out).replace("\r", "")
print("\n".join(l for l in out.split("\n") if l.strip() and not l.startswith("(qemu)") and sys.argv[2] not in l))
PY
}

plug() { # ID KIND
  if [ "$2" = serial ] && [ -z "${USBVM_NATIVE_SERIAL:-}" ]; then
    # `usbvm plug ID serial` backs usb-serial with a null chardev, which never reports "open"; QEMU's
    # usb-serial attaches only once its chardev is open, so the guest would never see it. A ringbuf
    # chardev is open from the start. (Set USBVM_NATIVE_SERIAL=1 once usbvm is fixed.)
    hmp "chardev-add ringbuf,id=chr-$1,size=4096"
    hmp "device_add usb-serial,bus=xhci.0,chardev=chr-$1,id=$1"
  else
    "$USBVM" plug "$1" "$2"
  fi
}
unplug() { "$USBVM" unplug "$1"; }
port_of() { "$USBVM" devices | sed -n "s/.*Port \([0-9.]*\),.*ID: $1\$/\1/p" | head -1; }

# count of whole-device (not interface, not root hub) udev add/remove events the guest has seen
udev_count() { grep -cE "^UDEV +\[[0-9.]+\] $1 +/\S+/[0-9]+-[0-9.]+ \(usb\)\$" "$SHARE/udev-monitor.log" 2>/dev/null || true; }
wait_udev() { # ACTION OLD_COUNT -> 0 when the count grew within SEEN_TIMEOUT
  local end=$((SECONDS + SEEN_TIMEOUT))
  while ((SECONDS < end)); do
    (($(udev_count "$1") > $2)) && return 0
    sleep 0.1
  done
  return 1
}

cleanup() {
  if ((KEEP_VM == 0)); then
    "$USBVM" stop >/dev/null 2>&1 || true
    rm -f "$USBVM_HOME"/e2estorage*.img   # disk images usbvm made for our storage plugs
  fi
}

# ---- boot and wait for the runtime ----------------------------------------------------------------
# (checked above that no guest ran before, so the one started here is ours and is stopped at exit)
T0=$(now)
trap cleanup EXIT
if ! "$USBVM" start "$SHARE"; then
  # usbvm gives up after 120 s, but leaves QEMU booting; on a busy host (TCG shares the CPUs) boot can take
  # longer, so keep waiting for the guest's ready mark while QEMU lives
  [ -f "$USBVM_HOME/qemu.pid" ] && kill -0 "$(cat "$USBVM_HOME/qemu.pid")" 2>/dev/null || die "guest did not boot (see $USBVM_HOME/serial.log)"
  log "usbvm start gave up, QEMU still booting: waiting up to ${BOOT_TIMEOUT}s in all"
  until [ -f "$SHARE/.usbvm-ready" ]; do
    kill -0 "$(cat "$USBVM_HOME/qemu.pid" 2>/dev/null)" 2>/dev/null || die "QEMU ended before the guest was up (see $USBVM_HOME/serial.log)"
    awk -v a="$T0" -v b="$(now)" -v t="$BOOT_TIMEOUT" 'BEGIN { exit !(b - a > t) }' && die "guest not up after ${BOOT_TIMEOUT}s (see $USBVM_HOME/serial.log)"
    sleep 1
  done
fi
BOOT=$(since "$T0"); echo "boot_s=$BOOT" >> "$TIMINGS"; log "guest up in ${BOOT}s"
T1=$(now)
end=$((SECONDS + READY_TIMEOUT))
until grep -qF -- "$READY" "$SHARE/runtime.log" 2>/dev/null; do
  if [ -f "$SHARE/.runtime-exited" ]; then
    tail -30 "$SHARE/runtime.log" >&2 || true; die "runtime exited before printing '$READY' ($(cat "$SHARE/.runtime-exited"))"
  fi
  if ((SECONDS > end)); then
    tail -30 "$SHARE/runtime.log" >&2 || true; die "no '$READY' in runtime.log after ${READY_TIMEOUT}s"
  fi
  sleep 0.2
done
READY_S=$(since "$T1"); echo "ready_after_boot_s=$READY_S" >> "$TIMINGS"; log "runtime ready ${READY_S}s after boot"

# ---- plug / unplug ------------------------------------------------------------------------------
seq=0
record() { # KIND ID ACTION PORT SEEN_S
  seq=$((seq + 1))
  printf '{"seq": %d, "kind": "%s", "id": "%s", "action": "%s", "port": "%s", "t": %s, "guest_seen_s": %s}\n' \
    "$seq" "$1" "$2" "$3" "$4" "$(now)" "$5" >> "$ACTIONS"
}
T2=$(now)
for kind in "${KIND_LIST[@]}"; do
  for i in $(seq 1 "$CYCLES"); do
    id="e2e${kind}${i}"
    n=$(udev_count add); t=$(now)
    out=$(plug "$id" "$kind" 2>&1) || die "plug $id $kind failed: $out"
    case "$out" in *rror*|*ailed*) die "plug $id $kind: $out" ;; esac
    wait_udev add "$n" || die "guest kernel/udev never saw $kind $id within ${SEEN_TIMEOUT}s (see udev-monitor.log)"
    seen=$(since "$t"); port=$(port_of "$id")
    record "$kind" "$id" attach "$port" "$seen"
    sleep "$PLUG_WAIT"
    n=$(udev_count remove); t=$(now)
    out=$(unplug "$id" 2>&1) || die "unplug $id failed: $out"
    wait_udev remove "$n" || die "guest never saw $kind $id go away within ${SEEN_TIMEOUT}s"
    seen_r=$(since "$t")
    record "$kind" "$id" detach "$port" "$seen_r"
    [ "$kind" = serial ] && [ -z "${USBVM_NATIVE_SERIAL:-}" ] && hmp "chardev-remove chr-$id" >/dev/null
    log "$kind #$i ($id, port $port): guest saw plug in ${seen}s, unplug in ${seen_r}s"
    sleep "$UNPLUG_WAIT"
  done
done
echo "plug_phase_s=$(since "$T2")" >> "$TIMINGS"

# ---- collect ------------------------------------------------------------------------------------
touch "$SHARE/.collect"
end=$((SECONDS + 90))
until [ -f "$SHARE/.collected" ]; do ((SECONDS < end)) || die "guest did not collect within 90 s (see autorun.log)"; sleep 0.5; done
log "collected: $(wc -l < "$SHARE/events.jsonl" 2>/dev/null || echo 0) event line(s)"

# ---- check --------------------------------------------------------------------------------------
set +e
python3 "$HERE/check_events.py" --actions "$ACTIONS" --events "$SHARE/events.jsonl" \
  --expected "$HERE/expected-devices.json" --require-sources "$REQUIRE_SOURCES" --report "$SHARE/check-report.json"
rc=$?
set -e
echo "total_s=$(since "$T0")" >> "$TIMINGS"
log "timings: $(tr '\n' ' ' < "$TIMINGS")"
log "results in $SHARE"
exit $rc
