#!/usr/bin/env bash
# Compile probe/HotplugProbe.java against usb4java 1.3.0 into OUT (default /tmp/probe-java):
# OUT/HotplugProbe*.class and OUT/jars/{usb4java,libusb4java-linux-x86-64,commons-lang3}.jar, ready
# for `probe.py SHARE --java OUT`. The native libusb4java.so is not in usb4java-1.3.0.jar but in the
# classifier jar libusb4java-1.3.0-linux-x86-64.jar (libusb 1.0.22 and libudev linked in statically).
set -euo pipefail
OUT=${1:-/tmp/probe-java}
HERE=$(cd "$(dirname "$0")" && pwd)
M=${MAVEN_REPO:-$HOME/.m2/repository}
mvn -q dependency:get -Dartifact=org.usb4java:usb4java:1.3.0
mvn -q dependency:get -Dartifact=org.usb4java:libusb4java:1.3.0:jar:linux-x86-64
JARS=("$M/org/usb4java/usb4java/1.3.0/usb4java-1.3.0.jar"
      "$M/org/usb4java/libusb4java/1.3.0/libusb4java-1.3.0-linux-x86-64.jar"
      "$M/org/apache/commons/commons-lang3/3.8.1/commons-lang3-3.8.1.jar")
rm -rf "$OUT"; mkdir -p "$OUT/jars"
cp "${JARS[@]}" "$OUT/jars/"
javac --release 17 -cp "$(IFS=:; echo "${JARS[*]}")" -d "$OUT" "$HERE/HotplugProbe.java"
echo "built $OUT"
