#!/usr/bin/env python3
"""Time from the request that triggers an alert to the webhook's receipt of it.

Starts `rampart serve` (release binary given with --bin) on loopback with a fresh data directory,
a webhook receiver on loopback, and 127.0.0.1 as its trusted proxy. Each trial sprays failing
sign-ins "from" a new documentation address (X-Forwarded-For; no packet goes anywhere but
127.0.0.1) until the password_spraying rule fires on the tenth; the latency is from sending that
tenth request to the receiver's timestamp of the signed POST. Prints p50/p99/max and exits 1 if
p99 is 1 s or more. Only the processes it started are stopped.

    scripts/alert-latency.py --bin target/release/rampart [--trials 40]
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SECRET = "bench-webhook-secret-of-at-least-32-chars"
SPRAY = 10  # alerts.spray_addresses (the default)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(http.server.BaseHTTPRequestHandler):
    received = {}  # alert subject -> receipt time (monotonic)
    bad_signatures = 0
    lock = threading.Lock()

    def do_POST(self):
        now = time.monotonic()
        body = self.rfile.read(int(self.headers["Content-Length"]))
        t, v1 = self.headers["X-Rampart-Signature"].removeprefix("t=").split(",v1=")
        expected = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        alert = json.loads(body)
        with Receiver.lock:
            if not hmac.compare_digest(expected, v1):
                Receiver.bad_signatures += 1
            Receiver.received.setdefault(alert["subject"], now)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--trials", type=int, default=40)
    args = parser.parse_args()

    hook_port = free_port()
    hook = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Receiver)
    threading.Thread(target=hook.serve_forever, daemon=True).start()

    work = tempfile.mkdtemp(prefix="rampart-alert-latency-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAMPART_")}
    env.update({
        "RAMPART_SERVER__LISTEN": f"127.0.0.1:{port}",
        "RAMPART_SERVER__PUBLIC_ORIGIN": f"https://localhost:{port}",
        "RAMPART_SERVER__TRUSTED_PROXIES": "[127.0.0.1]",
        "RAMPART_STORAGE__DATA_DIR": f"{work}/data",
        "RAMPART_LOG__LEVEL": "error",
        "RAMPART_ALERTS__WEBHOOK_URL": f"http://127.0.0.1:{hook_port}/hook",
        "RAMPART_ALERTS__WEBHOOK_SECRET": SECRET,
        "RAMPART_ALERTS__EMAIL_SECURITY_OFFICERS": "false",
    })
    log = open(f"{work}/rampart.log", "w")
    server = subprocess.Popen([args.bin, "serve"], cwd=work, env=env, stdout=log, stderr=log)
    try:
        ca = f"{work}/data/tls/ca.pem"
        for _ in range(300):
            if os.path.exists(ca) and os.path.getsize(ca) > 0:
                break
            time.sleep(0.1)
        context = ssl.create_default_context(cafile=ca)
        context.check_hostname = False  # the certificate is for localhost; we dial 127.0.0.1

        def login(ip, n):
            body = json.dumps({"email": f"spray{n}@example.com", "password": "not the password at all", "session": "token"}).encode()
            request = urllib.request.Request(f"https://127.0.0.1:{port}/api/auth/login", data=body, method="POST",
                                             headers={"content-type": "application/json", "x-forwarded-for": ip})
            try:
                urllib.request.urlopen(request, context=context, timeout=10).read()
            except urllib.error.HTTPError as error:
                error.read()

        for _ in range(100):
            try:
                urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", context=context, timeout=2).read()
                break
            except Exception:
                time.sleep(0.1)

        latencies = []
        for trial in range(args.trials):
            ip = f"198.51.100.{trial + 1}" if trial < 250 else f"203.0.113.{trial - 249}"
            for n in range(SPRAY - 1):
                login(ip, trial * 100 + n)
            sent = time.monotonic()
            login(ip, trial * 100 + SPRAY)
            subject = f"ip:{ip}"
            deadline = sent + 10
            while time.monotonic() < deadline:
                with Receiver.lock:
                    got = Receiver.received.get(subject)
                if got is not None:
                    latencies.append(got - sent)
                    break
                time.sleep(0.002)
            else:
                latencies.append(float("inf"))
        latencies.sort()
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"   alert latency, triggering request -> webhook receipt ({len(latencies)} alerts): "
              f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms; "
              f"bad signatures: {Receiver.bad_signatures}")
        ok = p99 < 1.0 and Receiver.bad_signatures == 0
        print(f"   ALERT LATENCY VERDICT: {'PASS' if ok else 'FAIL'} (p99 must be under 1 s, every signature valid)")
        return 0 if ok else 1
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        hook.shutdown()


if __name__ == "__main__":
    sys.exit(main())
