#!/bin/sh
# Guest side of the USB probe (runs as root inside the usbvm guest, from /mnt/share/autorun.sh).
# - records kernel+udev uevents for the usb subsystem (raw, for fixtures) and for all subsystems
# - serves a tiny command channel: the host drops cmd/NAME.sh, the guest runs it and writes
#   cmd/NAME.out and then cmd/NAME.done (there is no ssh into the guest).
S=/mnt/share
mkdir -p $S/cmd
{ echo "guest_wall=$(date +%s.%N)"; echo "guest_uptime=$(cut -d' ' -f1 /proc/uptime)"; uname -a; } > $S/guest-info.txt
stdbuf -oL udevadm monitor --udev --kernel --property --subsystem-match=usb > $S/udev-monitor-usb.log 2>&1 &
stdbuf -oL udevadm monitor --udev --kernel --property > $S/udev-monitor-all.log 2>&1 &
echo "probe: monitors started"
while :; do
  for f in $S/cmd/*.sh; do
    [ -f "$f" ] || continue
    n=${f%.sh}
    mv "$f" "$n.run"
    sh "$n.run" > "$n.out" 2>&1
    echo "rc=$?" > "$n.done"
  done
  sleep 0.2
done
