#!/usr/bin/env python3
"""The scan's session keeper: a plain-HTTP proxy on loopback between sqlmap and Rampart.

Usage: auth_proxy.py FIXTURES BASE_URL CA_FILE PORT LOG_FILE

sqlmap sends each request here with two headers of ours: `X-Scan-As: PRINCIPAL` (a name in the
fixtures, or `anon`) and `X-Scan-Target: ID`. The proxy removes them, adds that principal's
`Authorization: Bearer` session token, and forwards the request unchanged otherwise to Rampart
over HTTPS (certificate checked against the test CA). sqlmap's thousands of requests can end a
session (a wrong code counted against it, sign-out, "end every session"…): when Rampart answers
401 `unauthenticated` for a principal, the proxy signs that principal in again (password, and a
fresh TOTP code for one with an authenticator app) and sends the request once more, so that the
requests reach the handlers rather than bouncing at the door.

It also keeps, per target, the status and error code of every answer — the first one (the
request with the example values, which must reach the handler) separately — so the scan can
tell a clean result from one where the requests never reached a handler:
  GET /__scan/stats/ID  -> {"first": [status, code], "counts": {"status code": n}, "refreshed": n}
"""

import json
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from scanlib import Client, TotpClock, Upstream, sign_in

# Answers that come from a door, not from the handler: the request proves nothing about the
# handler's queries. (`forbidden` is not here: handlers also refuse with it after a lookup.)
BOUNCED = {
    "unauthenticated",
    "mfa_enrolment_required",
    "reauth_required",
    "csrf_rejected",
    "lockdown",
    "rate_limited",
    "busy",
    "request_timeout",
    "upstream_error",
}
REQUEST_ID = re.compile(rb'"request_id":"[0-9a-f]+"')
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host",
              "proxy-connection", "te", "trailer", "upgrade"}


class Keeper:
    def __init__(self, fixtures, client):
        self.client = client
        self.principals = fixtures["principals"]
        self.lock = threading.Lock()  # the stats
        self.signing_in = threading.Lock()  # one sign-in at a time (it may wait for a TOTP step)
        self.clocks = {}
        for p in self.principals.values():
            secret = p.get("totp_secret")
            if secret and secret not in self.clocks:
                self.clocks[secret] = TotpClock(secret, last_step=p.get("totp_last_step", 0))
            elif secret:
                clock = self.clocks[secret]
                clock.last_step = max(clock.last_step, p.get("totp_last_step", 0))
        self.stats = {}

    def token(self, name):
        return self.principals[name]["token"]

    def refresh(self, name, stale):
        """A new session for `name`, unless another thread made one since `stale` was read;
        None when `stale` still works (the 401 was about something else the request carried,
        e.g. a made-up session cookie from schemathesis, and is the answer to pass on)."""
        with self.signing_in:
            p = self.principals[name]
            if p["token"] != stale:
                return p["token"]
            if self.client.request("GET", "/api/me", token=stale).status == 200:
                return None
            clock = self.clocks.get(p.get("totp_secret"))
            p["token"] = sign_in(self.client, p, clock)
            return p["token"]

    def note(self, target, status, code, refreshed):
        with self.lock:
            s = self.stats.setdefault(target, {"first": None, "counts": {}, "refreshed": 0,
                                               "bounced": 0, "requests": 0})
            if s["first"] is None:
                s["first"] = [status, code]
            key = f"{status} {code or '-'}"
            s["counts"][key] = s["counts"].get(key, 0) + 1
            s["requests"] += 1
            s["refreshed"] += refreshed
            if code in BOUNCED:
                s["bounced"] += 1


def make_handler(keeper, log):
    log_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One write per answer would do too; without this, delayed ACKs cost 40 ms a request.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def handle_one(self):
            if self.path.startswith("/__scan/stats/"):
                target = self.path[len("/__scan/stats/"):]
                with keeper.lock:
                    body = json.dumps(keeper.stats.get(target, {})).encode()
                return self.reply(200, {"Content-Type": "application/json"}, body)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            name = self.headers.get("X-Scan-As", "anon")
            target = self.headers.get("X-Scan-Target", "-")
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in HOP_BY_HOP and not k.lower().startswith("x-scan-")
                       and k.lower() != "authorization"}
            token = None if name == "anon" else keeper.token(name)
            try:
                response = self.forward(body, headers, token)
            except OSError as error:  # Rampart did not answer in time, or closed on us
                keeper.note(target, 502, "upstream_error", 0)
                with log_lock:
                    log.write(f"{target}\t{self.command}\t{self.path[:200]}\t502\t{error}\n")
                return self.reply(502, {"Content-Type": "text/plain"}, b"upstream error")
            refreshed = 0
            if token and response.status == 401 and response.error_code() == "unauthenticated":
                try:
                    fresh = keeper.refresh(name, token)
                    if fresh is not None:
                        token, refreshed = fresh, 1
                        response = self.forward(body, headers, token)
                except Exception as error:  # the principal cannot sign in any more: say so
                    with log_lock:
                        log.write(f"REFRESH-FAILED {name}: {error}\n")
            code = response.error_code()
            keeper.note(target, response.status, code, refreshed)
            with log_lock:
                again = "\tsigned in again" if refreshed else ""
                log.write(f"{target}\t{self.command}\t{self.path[:200]}\t{response.status}\t{code or '-'}{again}\n")
            # Every answer carries a fresh request id (body and header) and a date: noise that
            # sqlmap's page comparison took for a boolean signal (404s of a path payload,
            # identical but for the id). They say nothing about the query: made constant here.
            out = {k: v for k, v in response.headers.items()
                   if k.lower() not in HOP_BY_HOP and k.lower() not in ("x-request-id", "date")}
            body = REQUEST_ID.sub(b'"request_id":"-"', response.body or b"")
            self.reply(response.status, out, body)

        def forward(self, body, headers, token):
            all_headers = dict(headers)
            if token:
                all_headers["Authorization"] = "Bearer " + token
            raw = keeper.client.raw(self.command, self.path, body, all_headers)
            return raw

        def reply(self, status, headers, body):
            self.send_response_only(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            if self.command != "HEAD" and body:
                self.wfile.write(body)

        # Every method, including ones Rampart does not route (TRACE…): its answer to them is
        # what a scanner checks.
        def __getattr__(self, name):
            if name.startswith("do_"):
                return self.handle_one
            raise AttributeError(name)

    return Handler


def main():
    fixtures_file, base, ca, port, log_file = sys.argv[1:6]
    fixtures = json.load(open(fixtures_file))
    client = Client(Upstream(base, ca))
    keeper = Keeper(fixtures, client)
    log = open(log_file, "a", buffering=1)
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), make_handler(keeper, log))
    server.daemon_threads = True
    print(f"auth proxy on http://127.0.0.1:{port} -> {base}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
