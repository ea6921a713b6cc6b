#!/usr/bin/env python3
"""Soak test: the runtime jar as a black box, for a long time, under steady load and churn.

Drives only what an operator has: the executable jar (java -jar), a real redis-server, configuration files, the REST
API, Server-Sent Events, /metrics and the process seen from outside (/proc, jcmd). Events come in through the
production udev source reading a stand-in for `udevadm monitor` (fake-udevadm.py) at a fixed rate. Meanwhile a signed
plugin is installed and uninstalled on a cycle, Redis is shut down and started again on a cycle, and SSE clients
connect and leave. At intervals it records heap after a full GC, threads, file descriptors and disk; at the end it
checks those stayed flat, that no request failed and no error was logged, and that every offered event is in the
Redis stream (distinct event ids, no loss markers). See RELIABILITY.md.

Exit status 0 when every check passed, 1 when one failed (the work directory is kept then), 2 on a setup problem.
"""
import argparse
import atexit
import base64
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "soak-admin-password-1"
STREAM = "aw:soak"


def log(msg):
    print("soak: %s %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# The event log's bounds in the soak (DATA/etc/io.autoweave.eventlog.cfg): reached within minutes at 1000 events/s
# (about 200 B per event in the log, 490 B in the export), so the disk must be flat after the warm-up.
LOG_SEGMENT_MB = 2
LOG_RETENTION_MB = 48
EXPORT_MB = 4
EXPORT_FILES = 2


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- Redis over its own protocol (no client library needed) ---------------------------------------------------

class Redis:
    def __init__(self, port):
        self.port = port

    def call(self, *args):
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            out = b"*%d\r\n" % len(args)
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out += b"$%d\r\n%s\r\n" % (len(a), a)
            s.sendall(out)
            f = s.makefile("rb")
            return self._read(f)

    def _read(self, f):
        line = f.readline()
        if not line:
            raise ConnectionError("redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = f.read(n + 2)[:-2]
            return data.decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read(f) for _ in range(n)]
        raise RuntimeError("unexpected reply %r" % line)

    def ping(self):
        try:
            return self.call("PING") == "PONG"
        except (OSError, RuntimeError):
            return False


class RedisServer:
    def __init__(self, work):
        self.port = free_port()
        self.dir = os.path.join(work, "redis")
        os.makedirs(self.dir, exist_ok=True)
        self.proc = None
        self.client = Redis(self.port)
        self.restarts = 0

    def start(self):
        # no automatic snapshots and no AOF: a restart is SHUTDOWN SAVE then start, which keeps every entry; the
        # stream is unbounded (max.len=0 in the runtime) so the count can be compared with what was offered
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--dir", self.dir, "--dbfilename", "dump.rdb", "--save", "",
                                      "--appendonly", "no", "--protected-mode", "yes"],
                                     stdout=open(os.path.join(self.dir, "redis.log"), "ab"),
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not self.client.ping():
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("redis-server did not start (see %s/redis.log)" % self.dir)
            time.sleep(0.1)

    def stop(self):
        if self.proc is None:
            return
        try:
            self.client.call("SHUTDOWN", "SAVE")
        except (OSError, RuntimeError, ConnectionError):
            pass  # SHUTDOWN closes the connection without a reply
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def restart(self):
        self.stop()
        self.start()
        self.restarts += 1


# ---- signing: a CA, a signer, a trust store, the plugin signed (JDK keytool and jarsigner) --------------------

def sign_plugin(work, plugin, java_home):
    keytool = os.path.join(java_home, "bin", "keytool")
    jarsigner = os.path.join(java_home, "bin", "jarsigner")
    d = os.path.join(work, "keys")
    os.makedirs(d)
    ks, pw = os.path.join(d, "keys.p12"), "changeit"

    def kt(*args, **kw):
        subprocess.run([keytool, *args, "-storepass", pw], check=True, capture_output=True, **kw)

    kt("-genkeypair", "-keystore", ks, "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
       "-dname", "CN=Soak CA", "-validity", "30", "-ext", "bc:c")
    kt("-genkeypair", "-keystore", ks, "-alias", "signer", "-keyalg", "EC", "-groupname", "secp256r1",
       "-dname", "CN=Soak Signer", "-validity", "30")
    csr = subprocess.run([keytool, "-certreq", "-keystore", ks, "-storepass", pw, "-alias", "signer"],
                         check=True, capture_output=True).stdout
    cert = subprocess.run([keytool, "-gencert", "-keystore", ks, "-storepass", pw, "-alias", "ca", "-rfc",
                           "-validity", "30", "-ext", "ku:c=digitalSignature", "-ext", "eku=codeSigning"],
                          input=csr, check=True, capture_output=True).stdout
    ca_pem = subprocess.run([keytool, "-exportcert", "-keystore", ks, "-storepass", pw, "-alias", "ca", "-rfc"],
                            check=True, capture_output=True).stdout
    kt("-importcert", "-keystore", ks, "-alias", "signer", "-noprompt", input=ca_pem + cert)
    trust = os.path.join(d, "plugins-truststore.p12")
    ca_file = os.path.join(d, "ca.pem")
    with open(ca_file, "wb") as f:
        f.write(ca_pem)
    subprocess.run([keytool, "-importcert", "-trustcacerts", "-noprompt", "-alias", "plugins-ca", "-file", ca_file,
                    "-storetype", "PKCS12", "-keystore", trust, "-storepass", pw], check=True, capture_output=True)
    signed = os.path.join(d, "plugin-signed.jar")
    subprocess.run([jarsigner, "-keystore", ks, "-storepass", pw, "-digestalg", "SHA-256", "-signedjar", signed,
                    plugin, "signer"], check=True, capture_output=True)
    with zipfile.ZipFile(signed) as z:
        manifest = z.read("META-INF/MANIFEST.MF").decode()
    bsn = None
    for line in manifest.replace("\r\n ", "").replace("\n ", "").splitlines():
        if line.startswith("Bundle-SymbolicName:"):
            bsn = line.split(":", 1)[1].split(";")[0].strip()
    return signed, bsn, trust, pw


# ---- HTTP ------------------------------------------------------------------------------------------------------

class Api:
    def __init__(self, port):
        self.port = port
        self.auth = "Basic " + base64.b64encode(("admin:" + PASSWORD).encode()).decode()

    def request(self, method, path, body=None, content_type=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Authorization": self.auth}
            if content_type:
                headers["Content-Type"] = content_type
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        finally:
            c.close()


class Errors:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, what):
        with self.lock:
            self.items.append("%s %s" % (time.strftime("%H:%M:%S"), what))
        log("ERROR " + what)


def plugin_cycler(api, jar, bsn, period, stop, errors, counts):
    with open(jar, "rb") as f:
        body = f.read()
    while not stop.wait(0):
        began = time.time()
        try:
            status, text = api.request("POST", "/api/v1/plugins?level=low", body, "application/java-archive")
            if status != 201:
                errors.add("install answered %d: %s" % (status, text[:300]))
            else:
                counts["installs"] += 1
            if stop.wait(period / 2):
                break
            status, text = api.request("DELETE", "/api/v1/plugins/" + bsn)
            if status not in (200, 204):
                errors.add("uninstall answered %d: %s" % (status, text[:300]))
            else:
                counts["uninstalls"] += 1
        except OSError as e:
            errors.add("plugin request failed: %r" % e)
        stop.wait(max(0.0, period - (time.time() - began)))


def sse_client(api, stop, errors, counts, rng):
    while not stop.is_set():
        c = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
        try:
            c.request("GET", "/api/v1/events", headers={"Authorization": api.auth, "Accept": "text/event-stream"})
            r = c.getresponse()
            if r.status != 200:
                errors.add("SSE answered %d: %s" % (r.status, r.read(300).decode("utf-8", "replace")))
            else:
                counts["sse_sessions"] += 1
                until = time.time() + rng.uniform(2, 15)
                while time.time() < until and not stop.is_set():
                    line = r.fp.readline()
                    if not line:
                        errors.add("SSE stream ended by the server")
                        break
                    if line.startswith(b"data:"):
                        counts["sse_events"] += 1
        except OSError as e:
            errors.add("SSE failed: %r" % e)
        finally:
            c.close()  # leaving without a goodbye, as a closed browser tab does
        stop.wait(rng.uniform(0, 2))


# ---- what the process looks like from outside ----------------------------------------------------------------

def heap_after_gc(pid, jcmd, gc_log):
    """Heap in use right after a full GC: System.gc() through jcmd, then the result line of the JVM's own GC log
    (taking a heap reading afterwards would count what the event load allocated in between)."""
    before = os.path.getsize(gc_log) if os.path.exists(gc_log) else 0
    subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, timeout=120)
    deadline = time.time() + 30
    while time.time() < deadline:
        with open(gc_log, "rb") as f:
            f.seek(before)
            for line in f.read().decode("utf-8", "replace").splitlines():
                # [25.4s][info][gc] GC(12) Pause Full (Diagnostic Command) 78M->17M(80M) 368.8ms
                if "Pause Full (Diagnostic Command)" in line and "->" in line:
                    after = line.split("->", 1)[1].split("(", 1)[0]
                    units = {"K": 2**10, "M": 2**20, "G": 2**30}
                    return int(float(after[:-1]) * units.get(after[-1], 1))
        time.sleep(0.2)
    return -1


def proc_threads(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    return -1


def proc_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def disk_bytes(path):
    total = 0
    biggest = []  # (size, relative path) of every file; the sample keeps the top ones
    for root, _, files in os.walk(path):
        for name in files:
            p = os.path.join(root, name)
            try:
                size = os.lstat(p).st_size
            except OSError:
                continue
            total += size
            biggest.append((size, os.path.relpath(p, path)))
    biggest.sort(reverse=True)
    return total, biggest[:5]


def metrics(api):
    try:
        status, text = api.request("GET", "/metrics")
    except OSError:
        return {}
    wanted = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name = line.split("{")[0].split(" ")[0]
        if name in ("autoweave_usb_events_total", "autoweave_usb_sink_failures_total", "autoweave_eventlog_lost_total",
                    "autoweave_usb_sink_behind", "autoweave_usb_listener_dropped_total",
                    "autoweave_usb_reports_total", "autoweave_usb_debounce_suppressed_total"):
            try:
                wanted[name] = wanted.get(name, 0) + float(line.rsplit(" ", 1)[1])
            except ValueError:
                pass
    return wanted


def offered(state):
    try:
        with open(os.path.join(state, "offered")) as f:
            return int(f.read().split()[2])
    except (FileNotFoundError, IndexError, ValueError):
        return 0


def stream_count(redis):
    """Distinct event ids and loss markers in the stream, read in pages. Update entries (a late source of an event
    already in the stream, type=update) are neither events nor duplicates: they are not counted as entries."""
    ids, shed, entries = set(), 0, 0
    start = "-"
    while True:
        page = redis.call("XRANGE", STREAM, start, "+", "COUNT", "10000")
        if not page:
            break
        for entry_id, fields in page:
            if start != "-" and entry_id == start[1:]:
                continue
            f = dict(zip(fields[0::2], fields[1::2]))
            if f.get("type") == "update":
                continue
            entries += 1
            if f.get("type") == "shed":
                shed += 1
            elif "event_id" in f:
                ids.add(f["event_id"])
        last = page[-1][0]
        start = "(" + last
        if len(page) < 10000:
            break
    return len(ids), shed, entries


# ---- the run ---------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jar", default=os.path.join(HERE, "..", "runtime", "target", "autoweave.jar"))
    ap.add_argument("--plugin", required=True, help="an unsigned plugin jar; the soak signs it with its own CA")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--rate", type=int, default=1000, help="events offered per second")
    ap.add_argument("--sample-seconds", type=float, default=0, help="default: minutes*60/20, at least 10")
    ap.add_argument("--plugin-cycle-seconds", type=float, default=10)
    ap.add_argument("--redis-restart-minutes", type=float, default=10)
    ap.add_argument("--sse-clients", type=int, default=4)
    ap.add_argument("--work", default=None, help="work directory (default: a new one under /tmp)")
    ap.add_argument("--report", default=None, help="write the figures as JSON here")
    args = ap.parse_args()

    java_home = os.environ.get("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64")
    java = os.path.join(java_home, "bin", "java")
    jcmd = os.path.join(java_home, "bin", "jcmd")
    if not os.path.isfile(args.jar):
        print("soak: no runtime jar at %s (mvn install -DskipTests -pl runtime -am)" % args.jar, file=sys.stderr)
        return 2
    work = args.work or tempfile.mkdtemp(prefix="autoweave-soak-")
    os.makedirs(work, exist_ok=True)
    seconds = args.minutes * 60
    sample_every = args.sample_seconds or max(10.0, seconds / 20)
    log("work directory %s; %.1f min at %d events/s" % (work, args.minutes, args.rate))

    signed, bsn, trust, trust_pw = sign_plugin(work, os.path.abspath(args.plugin), java_home)
    redis = RedisServer(work)
    started = []  # what to stop if the soak itself fails or is interrupted
    atexit.register(lambda: [stop_quietly(p) for p in started])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
    redis.start()
    started.append(redis)

    data = os.path.join(work, "data")
    etc = os.path.join(data, "etc")
    state = os.path.join(work, "source")
    sysfs = os.path.join(work, "empty-sysfs")
    for d in (etc, state, sysfs):
        os.makedirs(d, exist_ok=True)
    udevadm = os.path.join(work, "udevadm")
    with open(udevadm, "w") as f:
        f.write("#!/bin/sh\nSOAK_RATE=%d SOAK_SECONDS=%s SOAK_STATE='%s' exec python3 '%s'\n"
                % (args.rate, seconds, state, os.path.join(HERE, "fake-udevadm.py")))
    os.chmod(udevadm, 0o755)
    configs = {
        "io.autoweave.redis.cfg": "endpoints=127.0.0.1:%d\nstream=%s\nmax.len=0\n" % (redis.port, STREAM),
        "io.autoweave.usb.udev.cfg": "udevadm.path=%s\nsysfs.root=%s\n" % (udevadm, sysfs),
        "io.autoweave.usb.sysfs.cfg": "enabled=false\n",
        "io.autoweave.usb.libusb.cfg": "enabled=false\n",
        "io.autoweave.plugin.installer.cfg": "trust.store.path=%s\n.trust.store.password=%s\n" % (trust, trust_pw),
        # bounds small enough to be reached during the warm-up, so the disk check tests that they hold
        "io.autoweave.eventlog.cfg": "segment.mb=%g\nretention.mb=%g\nexport.mb=%g\nexport.files=%d\n" % (
            LOG_SEGMENT_MB, LOG_RETENTION_MB, EXPORT_MB, EXPORT_FILES),
        # its own SSH port: the default 8101 may be taken by another runtime on the machine
        "io.autoweave.ssh.cfg": "port=%d\n" % free_port(),
    }
    for name, text in configs.items():
        with open(os.path.join(etc, name), "w") as f:
            f.write(text)

    http_port = free_port()
    env = dict(os.environ, AUTOWEAVE_ADMIN_PASSWORD=PASSWORD)
    runtime_log = os.path.join(work, "runtime.log")
    gc_log = os.path.join(work, "gc.log")
    runtime = subprocess.Popen([java, "-Xlog:gc:file=%s" % gc_log, "-jar", os.path.abspath(args.jar), "--data", data, "--http-port",
                                str(http_port)], stdout=open(runtime_log, "wb"), stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, env=env)
    started.append(runtime)
    deadline = time.time() + 300
    while True:
        with open(runtime_log, "rb") as f:
            if b"AutoWeave ready" in f.read():
                break
        if runtime.poll() is not None or time.time() > deadline:
            log("the runtime did not get ready; see %s" % runtime_log)
            redis.stop()
            return 2
        time.sleep(0.5)
    log("runtime ready (pid %d, http %d, redis %d)" % (runtime.pid, http_port, redis.port))

    api = Api(http_port)
    errors = Errors()
    stop = threading.Event()
    counts = {"installs": 0, "uninstalls": 0, "sse_sessions": 0, "sse_events": 0}
    rng = random.Random(14)
    threads = [threading.Thread(target=plugin_cycler, args=(api, signed, bsn, args.plugin_cycle_seconds, stop,
                                                            errors, counts), daemon=True)]
    for i in range(args.sse_clients):
        threads.append(threading.Thread(target=sse_client, args=(api, stop, errors, counts,
                                                                 random.Random(rng.random())), daemon=True))
    for t in threads:
        t.start()

    samples = []
    began = time.time()
    next_sample = began
    next_redis_restart = began + args.redis_restart_minutes * 60
    while not os.path.exists(os.path.join(state, "done")):
        now = time.time()
        if now > began + seconds + 300:
            errors.add("the source never finished offering (is the udev source running?)")
            break
        if now >= next_redis_restart:
            log("restarting redis")
            redis.restart()
            next_redis_restart += args.redis_restart_minutes * 60
        if now >= next_sample:
            samples.append(sample(runtime.pid, jcmd, gc_log, api, data, redis, state, began))
            next_sample += sample_every
        time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(60)
    # everything offered: wait (on the effect) until the stream holds it, bounded
    total = offered(state)
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            if redis.client.call("XLEN", STREAM) >= total:
                break
        except (OSError, RuntimeError):
            pass
        time.sleep(1)
    time.sleep(2)
    samples.append(sample(runtime.pid, jcmd, gc_log, api, data, redis, state, began))
    distinct, shed, entries = stream_count(redis.client)
    final_metrics = metrics(api)

    runtime.send_signal(signal.SIGTERM)
    try:
        runtime.wait(120)
    except subprocess.TimeoutExpired:
        errors.add("the runtime did not stop within 120 s of SIGTERM")
        runtime.kill()
    redis.stop()
    with open(runtime_log, "rb") as f:
        logged = [line.decode("utf-8", "replace").rstrip() for line in f
                  if b" ERROR " in line or b"[ERROR]" in line or line.startswith((b"ERROR", b"SEVERE:"))]

    result = verdict(samples, total, distinct, shed, entries, errors, logged, counts, redis.restarts,
                     final_metrics, args, time.time() - began)
    if args.report:
        with open(args.report, "w") as f:
            json.dump(result, f, indent=2)
    print(json.dumps(result, indent=2))
    if result["passed"]:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
        log("PASSED")
        return 0
    log("FAILED: %s (work directory kept: %s)" % ("; ".join(result["failures"]), work))
    return 1


def stop_quietly(thing):
    try:
        if isinstance(thing, RedisServer):
            thing.stop()
        elif thing.poll() is None:
            thing.kill()
            thing.wait(30)
    except Exception:  # best effort at exit: never hide the soak's own outcome
        pass


def sample(pid, jcmd, gc_log, api, data, redis, state, began):
    disk, biggest = disk_bytes(data)
    try:
        xlen = redis.client.call("XLEN", STREAM)
    except (OSError, RuntimeError):
        xlen = -1
    s = {"t": round(time.time() - began, 1), "heap_after_gc": heap_after_gc(pid, jcmd, gc_log), "threads": proc_threads(pid),
         "fds": proc_fds(pid), "disk": disk, "biggest": biggest, "offered": offered(state), "stream": xlen,
         "metrics": metrics(api)}
    log("t=%6.0fs heap %6.1f MB threads %4d fds %4d disk %7.1f MB offered %8d stream %8d" % (
        s["t"], s["heap_after_gc"] / 2**20, s["threads"], s["fds"], disk / 2**20, s["offered"], xlen))
    return s


def verdict(samples, total, distinct, shed, entries, errors, logged, counts, redis_restarts, final_metrics, args,
            elapsed):
    failures = []
    # flat: compare the first third after warm-up with the last third. Warm-up (JIT, caches, the first plugin
    # install) is the first 20 % of the samples.
    usable = samples[max(1, len(samples) // 5):]
    third = max(1, len(usable) // 3)
    first, last = usable[:third], usable[-third:]

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    figures = {}
    for key, allowed, unit in (("heap_after_gc", lambda a: a * 0.10 + 8 * 2**20, "bytes"),
                               ("threads", lambda a: 3, "threads"),
                               ("fds", lambda a: 8, "descriptors"),
                               # the log drops whole segments and the export whole files: one of each, plus 1 MB
                               ("disk", lambda a: (1 + LOG_SEGMENT_MB + EXPORT_MB) * 2**20, "bytes")):
        a, b = med(first, key), med(last, key)
        figures[key] = {"first": a, "last": b, "growth": b - a, "allowed": allowed(a), "unit": unit,
                        "max": max(r[key] for r in samples)}
        if b - a > allowed(a):
            failures.append("%s grew from %s to %s %s (allowed +%d)" % (key, int(a), int(b), unit, allowed(a)))
    # which files grew, from the first usable sample to the last (names the unbounded one when disk fails)
    sizes_first = {name: size for size, name in usable[0]["biggest"]}
    figures["disk_growers"] = sorted(((size - sizes_first.get(name, 0), name) for size, name in samples[-1]["biggest"]
                                      if size - sizes_first.get(name, 0) > 2**20), reverse=True)
    # the source offers for exactly --minutes from its first start; a slower reader pushes back through the pipe
    figures["offered_per_second"] = round(total / (args.minutes * 60), 1)
    lost = total - distinct
    if any(r["heap_after_gc"] < 0 for r in samples):
        failures.append("heap after GC could not be read from the GC log in %d samples"
                        % sum(1 for r in samples if r["heap_after_gc"] < 0))
    if lost > 0:
        failures.append("%d of %d offered events are not in the stream" % (lost, total))
    if shed:
        failures.append("%d loss markers in the stream" % shed)
    if errors.items:
        failures.append("%d errors: %s" % (len(errors.items), errors.items[:5]))
    if logged:
        failures.append("%d ERROR lines in the runtime log: %s" % (len(logged), logged[:3]))
    return {
        "passed": not failures, "failures": failures, "minutes": round(elapsed / 60, 2), "rate": args.rate,
        "offered": total, "stream_distinct_events": distinct, "stream_entries": entries, "loss_markers": shed,
        "lost": max(0, lost), "duplicates": entries - shed - distinct, "errors": errors.items,
        "error_log_lines": logged[:20], "redis_restarts": redis_restarts, "plugin_installs": counts["installs"],
        "plugin_uninstalls": counts["uninstalls"], "sse_sessions": counts["sse_sessions"],
        "sse_events_read": counts["sse_events"], "figures": figures, "final_metrics": final_metrics,
        "samples": samples,
    }


if __name__ == "__main__":
    sys.exit(main())
