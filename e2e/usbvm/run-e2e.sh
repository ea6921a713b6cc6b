#!/usr/bin/env bash
# End-to-end USB hot-plug test of the AutoWeave runtime in the usbvm guest (real Linux USB stack).
# Builds no Java: give it the runtime jar (bin/autoweave e2e builds it first). Builds the usbvm guest image
# when it is missing (needs root). See README.md beside this file.
#
#   run-e2e.sh [--jar PATH] [--kinds LIST] [options]
#
# Scenarios, in one boot, every device on a pinned port, all at the runtime's DEFAULT merge window:
#   every-kind               each kind plugged, then unplugged, one after another (port 1)
#   two-identical            two keyboards (same model) on ports 1 and 2 at once
#   burst-6                  a hub on port 4, then 6 kinds plugged at once (1, 2, 3, 4.1, 4.2, 4.3), then
#                            unplugged at once
#   hub-4-unplugged-as-one   4 devices behind the hub, then the hub unplugged (5 removals in the kernel)
#   flapping                 a keyboard plugged/unplugged N times at 0.3 s, then M times at 1 s, ending
#                            plugged; a storage stick with a FIXED serial flapping at 0.3 s, ending plugged
#   changes-while-stopped    runtime stopped (SIGTERM); the keyboard unplugged, a tablet plugged, a mouse and the
#                            stick unchanged; runtime started; then everything unplugged
# The checker compares the runtime's events with the guest kernel's own record (udevadm monitor).
#
#   --jar PATH            runtime jar (default: runtime/target/autoweave.jar of the repository holding this
#                         script, or $AUTOWEAVE_JAR)
#   --kinds LIST          kinds of the every-kind scenario (default kbd,mouse,tablet,storage,serial,audio,net,hub)
#   --flap-fast N         0.3 s flapping cycles of the keyboard (default 20)
#   --flap-slow N         1 s flapping cycles of the keyboard after those (default 5)
#   --flap-storage N      0.3 s flapping cycles of the fixed-serial stick (default 8)
#   --ready PATTERN       fixed string the runtime prints when ready (default "AutoWeave ready")
#   --ready-timeout S     seconds to wait for it after boot (default 420; a JVM under TCG is slow, more so
#                         on a busy host)
#   --boot-timeout S      seconds to wait for the guest to boot (default 420; usbvm itself gives up after 120)
#   --plug-wait S         seconds a device stays plugged in every-kind and two-identical (default 2.5)
#   --unplug-wait S       seconds to wait after an unplug there (default 1.5)
#   --require-sources L   sources every event of a stable action must list (default libusb,udev; "" for none)
#   --share DIR           share dir to use (default a new /tmp/autoweave-e2e.XXXX); results stay there
#   --java-opts STR       JVM options for the runtime in the guest (default
#                         "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC": quicker start under TCG)
#   --runtime-args STR    runtime arguments (default "--data $DATA_DIR --no-shell")
#   --data-dir DIR        runtime data dir inside the guest (default /tmp/autoweave-data)
#   --events-file NAME    events file inside the data dir (default events.jsonl)
#   --merge-window-ms N   set the pipeline's merge.window.ms in the guest (default: not set, the runtime's own
#                         default runs)
#   --fake                no jar: run fake/autoweave-fake.sh (udev -> events.jsonl) to prove the harness
#   --keep-vm             leave the guest running at the end (default: usbvm stop)
#
# Exit status: 0 all checks passed, 1 checks failed, 2 harness/VM problem (no ready line, guest
# never saw a device, ...). Results in the share dir: actions.jsonl, events.jsonl, events-after-stop.jsonl,
# runtime.log, udev-monitor.log, clock.txt, autorun.log, check-report.json, scenario-table.md, timings.txt.
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
KINDS=kbd,mouse,tablet,storage,serial,audio,net,hub
FLAP_FAST=20
FLAP_SLOW=5
FLAP_STORAGE=8
READY="AutoWeave ready"
READY_TIMEOUT=420
BOOT_TIMEOUT=420
PLUG_WAIT=2.5
UNPLUG_WAIT=1.5
REQUIRE_SOURCES=libusb,udev
SHARE=""
JAVA_OPTS="-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"  # C1 only: the JIT costs less emulated CPU at start
DATA_DIR=/tmp/autoweave-data
RUNTIME_ARGS=""
EVENTS_FILE=events.jsonl
MERGE_WINDOW_MS=""   # the runtime's default (merge.window.ms 1500): the e2e checks what really runs
FAKE=0
KEEP_VM=0
SEEN_TIMEOUT=30

while (($#)); do
  case "$1" in
    --jar) JAR=$2; shift ;;
    --kinds) KINDS=$2; shift ;;
    --flap-fast) FLAP_FAST=$2; shift ;;
    --flap-slow) FLAP_SLOW=$2; shift ;;
    --flap-storage) FLAP_STORAGE=$2; shift ;;
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
  case "$k" in kbd|mouse|tablet|storage|serial|audio|net|hub) ;; *) die "kind $k not supported (kbd, mouse, tablet, storage, serial, audio, net, hub)" ;; esac
done

# ---- share dir ------------------------------------------------------------------------------
[ -n "$SHARE" ] || SHARE=$(mktemp -d /tmp/autoweave-e2e.XXXX)
mkdir -p "$SHARE"; SHARE=$(cd "$SHARE" && pwd)
rm -rf "$SHARE"/{.usbvm-ready,runtime.pid,.collect,.collected,.runtime-exited,.stop-runtime,.start-runtime,.runtime-stopped,.runtime-started,events.jsonl,events-after-stop.jsonl,clock.txt,actions.jsonl,runtime.log,udev-monitor.log,autorun.log,check-report.json,scenario-table.md,timings.txt,data-after-stop,fake}
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
    rm -f "$USBVM_HOME"/e2e*.img   # disk images made for our storage plugs
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

# ---- scenarios ----------------------------------------------------------------------------------
# Every device is plugged on a pinned port (4 USB 2 root ports on QEMU's xHCI; 4.N behind a hub on port 4), so the
# checker can tell physical devices apart by port. What really happened is read from the guest's kernel
# (udev-monitor.log), not from this script: QEMU's timing is the kernel's business.
scenario() { # NAME: marks where a scenario starts (host wall clock) for the checker's table
  printf '{"scenario": "%s", "t": %s}\n' "$1" "$(now)" >> "$ACTIONS"; log "scenario $1"
}
record() { # KIND ID ACTION PORT
  printf '{"kind": "%s", "id": "%s", "action": "%s", "port": "%s", "t": %s}\n' "$1" "$2" "$3" "$4" "$(now)" >> "$ACTIONS"
}
p() { # ID KIND PORT: plug without waiting
  local out; out=$("$USBVM" plug "$1" "$2" "$3" 2>&1) || die "plug $1 $2 $3 failed: $out"
  case "$out" in *rror*|*ailed*) die "plug $1 $2 $3: $out" ;; esac
  record "$2" "$1" attach "$3"
}
u() { # ID KIND PORT: unplug without waiting
  local out; out=$("$USBVM" unplug "$1" 2>&1) || die "unplug $1 failed: $out"
  record "$2" "$1" detach "$3"
}
plug_seen() { # ID KIND PORT: plug and wait for the guest's udev
  local n; n=$(udev_count add); p "$@"
  wait_udev add "$n" || die "guest kernel/udev never saw $2 $1 on port $3 within ${SEEN_TIMEOUT}s"
}
unplug_seen() { local n; n=$(udev_count remove); u "$@"; wait_udev remove "$n" || die "guest never saw $1 go"; }
# storage with a FIXED serial (usbvm's storage serial is AW<id>, new for every id): straight through QEMU's monitor
pstore() { # ID SERIAL PORT
  truncate -s 16M "$USBVM_HOME/$1.img"
  hmp "drive_add 0 if=none,id=drv-$1,file=$USBVM_HOME/$1.img,format=raw" >/dev/null
  hmp "device_add usb-storage,bus=xhci.0,drive=drv-$1,id=$1,serial=$2,port=$3" >/dev/null
  record storage "$1" attach "$3"
}
quiet() { sleep "$1"; } # lets the pipeline's windows close between scenarios (debounce 0.5 s, merge 1.5 s)
# settle STILL MAX: waits until the runtime's log (live in the share) has not grown for STILL s, at most MAX s. A
# late source joins its event with a "USB late merge" line: under TCG on a busy host libusb runs seconds behind udev
# while a device flaps, and stopping the runtime before it caught up would lose those joins, not the runtime's fault
settle() {
  local still=$1 max=$2 t0=$SECONDS since=$SECONDS last size
  last=$(stat -c %s "$SHARE/runtime.log" 2>/dev/null || echo 0)
  while ((SECONDS - t0 < max)); do
    sleep 1
    size=$(stat -c %s "$SHARE/runtime.log" 2>/dev/null || echo 0)
    if [ "$size" != "$last" ]; then last=$size; since=$SECONDS; elif ((SECONDS - since >= still)); then
      log "settled after $((SECONDS - t0)) s"; return 0
    fi
  done
  log "still logging after ${max} s: going on"
}

T2=$(now)
scenario every-kind
i=0
for kind in "${KIND_LIST[@]}"; do
  i=$((i + 1))
  plug_seen "e2ek$i$kind" "$kind" 1; sleep "$PLUG_WAIT"
  unplug_seen "e2ek$i$kind" "$kind" 1; sleep "$UNPLUG_WAIT"
done

scenario two-identical
plug_seen e2eida kbd 1; plug_seen e2eidb kbd 2; sleep "$PLUG_WAIT"
unplug_seen e2eida kbd 1; unplug_seen e2eidb kbd 2; quiet "$UNPLUG_WAIT"

scenario burst-6
plug_seen e2ebhub hub 4; quiet 3
for spec in kbd:1 mouse:2 tablet:3 storage:4.1 serial:4.2 audio:4.3; do
  p "e2eb${spec%%:*}" "${spec%%:*}" "${spec#*:}" &
done
wait; quiet 6
for spec in kbd:1 mouse:2 tablet:3 storage:4.1 serial:4.2 audio:4.3; do
  u "e2eb${spec%%:*}" "${spec%%:*}" "${spec#*:}" &
done
wait; quiet 5

scenario hub-4-unplugged-as-one
for spec in kbd:4.1 mouse:4.2 storage:4.3 net:4.4; do p "e2eh${spec%%:*}" "${spec%%:*}" "${spec#*:}"; done
quiet 6
u e2ebhub hub 4
for spec in kbd:4.1 mouse:4.2 storage:4.3 net:4.4; do  # the kernel dropped them with the hub; QEMU forgets them
  "$USBVM" unplug "e2eh${spec%%:*}" >/dev/null 2>&1 || true
done
quiet 5

scenario flapping
for n in $(seq 1 "$FLAP_FAST"); do p "e2ef$n" kbd 1; sleep 0.3; u "e2ef$n" kbd 1; sleep 0.3; done
for n in $(seq 1 "$FLAP_SLOW"); do p "e2efs$n" kbd 1; sleep 1; u "e2efs$n" kbd 1; sleep 1; done
p e2eflast kbd 1
for n in $(seq 1 "$FLAP_STORAGE"); do pstore "e2es$n" AWFIXED 2; sleep 0.3; u "e2es$n" storage 2; sleep 0.3; done
pstore e2eslast AWFIXED 2
quiet 6
settle 10 90

scenario changes-while-stopped
plug_seen e2ermouse mouse 3; quiet 4
scenario runtime-stop                # a marker: kernel actions until runtime-ready happen while nothing runs
touch "$SHARE/.stop-runtime"
end=$((SECONDS + 60)); until [ -f "$SHARE/.runtime-stopped" ]; do ((SECONDS < end)) || die "runtime did not stop"; sleep 0.2; done
rm -f "$SHARE/.runtime-stopped"
unplug_seen e2eflast kbd 1          # gone while nothing ran
plug_seen e2ertablet tablet 4       # new while nothing ran; mouse 3 and storage 2 unchanged
READY_BEFORE=$(grep -cF -- "$READY" "$SHARE/runtime.log" || true)
touch "$SHARE/.start-runtime"
end=$((SECONDS + READY_TIMEOUT))
until (($(grep -cF -- "$READY" "$SHARE/runtime.log" || true) > READY_BEFORE)); do
  ((SECONDS < end)) || die "runtime not ready again after ${READY_TIMEOUT}s"; sleep 0.5
done
log "runtime ready again"; scenario runtime-ready
quiet 15                            # the sources enumerate; reconciliation settles
unplug_seen e2ermouse mouse 3; unplug_seen e2eslast storage 2; unplug_seen e2ertablet tablet 4
quiet 4
echo "plug_phase_s=$(since "$T2")" >> "$TIMINGS"

# ---- collect ------------------------------------------------------------------------------------
touch "$SHARE/.collect"
end=$((SECONDS + 90))
until [ -f "$SHARE/.collected" ]; do ((SECONDS < end)) || die "guest did not collect within 90 s (see autorun.log)"; sleep 0.5; done
log "collected: $(wc -l < "$SHARE/events.jsonl" 2>/dev/null || echo 0) event line(s)"

# ---- check --------------------------------------------------------------------------------------
set +e
EVENTS=$SHARE/events-after-stop.jsonl; [ -s "$EVENTS" ] || EVENTS=$SHARE/events.jsonl
python3 "$HERE/check_events.py" --udev "$SHARE/udev-monitor.log" --events "$EVENTS" --clock "$SHARE/clock.txt" \
  --actions "$ACTIONS" --require-sources "$REQUIRE_SOURCES" --report "$SHARE/check-report.json" \
  --runtime-log "$SHARE/runtime.log" \
  --table "$SHARE/scenario-table.md"
rc=$?
set -e
echo "total_s=$(since "$T0")" >> "$TIMINGS"
log "timings: $(tr '\n' ' ' < "$TIMINGS")"
log "results in $SHARE"
exit $rc
