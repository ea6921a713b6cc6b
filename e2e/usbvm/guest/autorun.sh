#!/bin/sh
# Guest side of the AutoWeave e2e run (copied to the share as autorun.sh by run-e2e.sh; the usbvm
# guest runs it as root at boot, output to /mnt/share/autorun.log).
#   - starts the runtime jar (/mnt/share/autoweave.jar) with a fresh data dir under /tmp,
#     its stdout+stderr to /mnt/share/runtime.log (run-e2e.sh waits there for the ready line);
#   - records the udev event stream to /mnt/share/udev-monitor.log, for diagnosis;
#   - writes /mnt/share/clock.txt: the guest's wall clock and CLOCK_MONOTONIC (/proc/uptime) read together,
#     so the checker can place the runtime's events (wall clock) among udevadm's records (monotonic);
#   - when the host creates /mnt/share/.stop-runtime: stops the runtime (SIGTERM, SIGKILL after 30 s), removes
#     the request and creates /mnt/share/.runtime-stopped; /mnt/share/.start-runtime starts it again on the
#     same data dir (output appended to runtime.log) and creates /mnt/share/.runtime-started;
#   - when the host creates /mnt/share/.collect: copies DATA/events.jsonl to /mnt/share/events.jsonl,
#     stops the runtime (SIGTERM, then SIGKILL after 30 s), copies the data dir to
#     /mnt/share/data-after-stop and creates /mnt/share/.collected.
# Settings come from /mnt/share/e2e.env (written by run-e2e.sh): DATA_DIR, JAVA_OPTS, RUNTIME_ARGS,
# EVENTS_FILE, MERGE_WINDOW_MS (written as the pipeline's merge.window.ms; empty keeps the runtime's default, which
# is what the e2e runs), and RUNTIME_CMD (a command run instead of the jar; used by --fake).
S=/mnt/share
DATA_DIR=/tmp/autoweave-data
JAVA_OPTS=""
RUNTIME_ARGS=""
RUNTIME_CMD=""
EVENTS_FILE=events.jsonl
MERGE_WINDOW_MS=""
[ -f $S/e2e.env ] && . $S/e2e.env
export AUTOWEAVE_DATA="$DATA_DIR"
rm -rf "$DATA_DIR"; mkdir -p "$DATA_DIR"
if [ -n "$MERGE_WINDOW_MS" ]; then
  mkdir -p "$DATA_DIR/etc"
  echo "merge.window.ms=$MERGE_WINDOW_MS" > "$DATA_DIR/etc/io.autoweave.usb.pipeline.cfg"
fi
echo "guest: $(date -u +%FT%T.%NZ) uptime $(cut -d' ' -f1 /proc/uptime)s; java: $(java -version 2>&1 | head -1)"
echo "wall=$(date +%s.%N) mono=$(cut -d' ' -f1 /proc/uptime)" > $S/clock.txt
stdbuf -oL udevadm monitor --udev --kernel --property --subsystem-match=usb > $S/udev-monitor.log 2>&1 &
MON=$!
cd "$DATA_DIR"
start_runtime() {
  if [ -n "$RUNTIME_CMD" ]; then   # a stand-in instead of the jar (run-e2e.sh --fake)
    ( eval "exec $RUNTIME_CMD" ) < /dev/null >> $S/runtime.log 2>&1 &
  else
    # shellcheck disable=SC2086  # JAVA_OPTS/RUNTIME_ARGS are word lists on purpose
    java $JAVA_OPTS -jar $S/autoweave.jar $RUNTIME_ARGS < /dev/null >> $S/runtime.log 2>&1 &
  fi
  JPID=$!
  echo "$JPID" > $S/runtime.pid
  echo "guest: runtime started, pid $JPID"
}
stop_runtime() {
  if kill -0 $JPID 2>/dev/null; then
    kill -TERM $JPID
    for _ in $(seq 1 60); do kill -0 $JPID 2>/dev/null || break; sleep 0.5; done
    kill -0 $JPID 2>/dev/null && { echo "guest: runtime ignored SIGTERM, killing"; kill -KILL $JPID; }
    wait $JPID; echo "guest: runtime exit status $?"
  fi
}
: > $S/runtime.log
start_runtime
STOPPED=0
while [ ! -f $S/.collect ]; do
  if [ -f $S/.stop-runtime ]; then
    echo "guest: stopping the runtime on request"; stop_runtime; STOPPED=1
    rm -f $S/.stop-runtime; touch $S/.runtime-stopped
  fi
  if [ -f $S/.start-runtime ]; then
    echo "guest: starting the runtime again on request"; start_runtime; STOPPED=0
    rm -f $S/.start-runtime; touch $S/.runtime-started
  fi
  if [ $STOPPED = 0 ] && [ ! -f $S/.runtime-exited ] && ! kill -0 $JPID 2>/dev/null; then
    wait $JPID; echo "exit=$?" > $S/.runtime-exited; echo "guest: runtime exited early ($(cat $S/.runtime-exited))"
  fi
  sleep 0.2
done
echo "guest: collecting"
cp "$DATA_DIR/$EVENTS_FILE" $S/events.jsonl 2>/dev/null || echo "guest: no $DATA_DIR/$EVENTS_FILE"
stop_runtime
# the journal writes events still inside their merge window at stop: take the complete file too
cp "$DATA_DIR/$EVENTS_FILE" $S/events-after-stop.jsonl 2>/dev/null || true
kill $MON 2>/dev/null
rm -rf $S/data-after-stop; cp -r "$DATA_DIR" $S/data-after-stop 2>/dev/null
touch $S/.collected
echo "guest: collected"
