#!/usr/bin/env python3
"""Rampart's side of the peer benchmark's reference workload (`scripts/bench --peers`).

The reference servers in ../shared/bench-peers/ serve `POST /login`, `GET /api/records?
department=sales&limit=20`, `POST /api/records` (CSRF) and `GET /healthz` over 10,000 records.
Rampart's equivalents are `POST /api/auth/login`, `GET /api/collections/records/records?filter=
department = "sales"&limit=20`, `POST /api/collections/records/records` and `GET /healthz`;
this script prepares an installation for them and checks them:

    peers.py seed     URL CA PEERS_DIR  as the owner (bearer session): the departments of the
                                        peers' data that are missing, the collection `records`
                                        (title, body), and the peers' 10,000 rows (their
                                        seed/seed.py), all through the API
    peers.py check    URL CA            the answers the workload relies on, and the refusals
    peers.py sessions URL CA N OUT      N cookie sign-ins of the bench user; OUT gets
                                        "<Cookie header>\\t<CSRF token>" per line
    peers.py report ROWS TSV HISTORY MAX_OTHER
                                        the table of scripts/bench --peers from its rows, and
                                        the TSV (appended to HISTORY too)

URL is https://localhost:PORT (CA: the installation's tls/ca.pem) or http://127.0.0.1:PORT
(tls.mode = behind-proxy; CA: -). Passwords come from the environment, never the command line:
BENCH_OWNER_EMAIL/BENCH_OWNER_PASSWORD (seed), BENCH_USER_EMAIL/BENCH_USER_PASSWORD (the staff
account with `staff` in sales: check, sessions); BENCH_PUBLIC_ORIGIN (server.public_origin, the
Origin a browser sends: check).
"""
import concurrent.futures
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

COLLECTION = "records"
LIST_PATH = (
    f"/api/collections/{COLLECTION}/records?"
    + urllib.parse.urlencode({"filter": 'department = "sales"', "limit": "20"}, quote_via=urllib.parse.quote)
)
CREATE_PATH = f"/api/collections/{COLLECTION}/records"
SEED_THREADS = 8


class Client:
    """One keep-alive connection to 127.0.0.1 (TLS checked against CA for host `localhost`)."""

    def __init__(self, url, ca):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.tls = u.hostname, u.port, u.scheme == "https"
        self.context = ssl.create_default_context(cafile=ca) if self.tls else None
        self.conn = None

    def _connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.tls:
            sock = self.context.wrap_socket(sock, server_hostname=self.host)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.sock = sock
        return conn

    def request(self, method, path, body=None, headers=None):
        """-> (status, headers (lower-case names, Set-Cookie values in a list), parsed JSON or None)"""
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        hdrs.update(headers or {})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                r = self.conn.getresponse()
                raw = r.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        got = {}
        for k, v in r.getheaders():
            got.setdefault(k.lower(), []).append(v)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return r.status, got, parsed


def env(name):
    value = os.environ.get(name)
    if not value:
        sys.exit(f"peers.py: {name} is not set")
    return value


def bearer(client, email, password):
    st, _, body = client.request(
        "POST", "/api/auth/login", {"email": email, "password": password, "session": "token"}
    )
    if st != 200 or body.get("stage") != "full":
        sys.exit(f"peers.py: bearer sign-in of {email} answered {st} (stage {body and body.get('stage')})")
    return {"Authorization": f"Bearer {body['token']}"}


def cookie_session(client, email, password):
    """A browser's sign-in: -> (Cookie header value, CSRF token)."""
    st, h, body = client.request("POST", "/api/auth/login", {"email": email, "password": password})
    if st != 200:
        sys.exit(f"peers.py: cookie sign-in of {email} answered {st}")
    pairs = [c.split(";", 1)[0] for c in h.get("set-cookie", [])]
    return "; ".join(pairs), body["csrf_token"]


def seed(url, ca, peers_dir):
    sys.path.insert(0, os.path.join(peers_dir, "seed"))
    import seed as peers_seed  # the peers' own data: same departments, titles, bodies

    owner = Client(url, ca)
    auth = bearer(owner, env("BENCH_OWNER_EMAIL"), env("BENCH_OWNER_PASSWORD"))
    st, _, have = owner.request("GET", "/api/departments", headers=auth)
    if st != 200:
        sys.exit(f"peers.py: GET /api/departments answered {st}")
    names = {d["name"] for d in have}
    for dept in peers_seed.DEPARTMENTS:
        if dept not in names:
            st, _, body = owner.request(
                "POST", "/api/departments", {"name": dept, "title": dept.title()}, headers=auth
            )
            if st != 201:
                sys.exit(f"peers.py: POST /api/departments {dept} answered {st}: {body}")
    definition = {
        "name": COLLECTION,
        "title": "Records",
        "department_scoped": True,
        "fields": [
            {"name": "title", "type": "text", "max_length": 200, "required": True},
            {"name": "body", "type": "long_text", "max_length": 10000, "required": True},
        ],
    }
    st, _, body = owner.request("POST", "/api/collections", definition, headers=auth)
    if st != 201:
        sys.exit(f"peers.py: POST /api/collections answered {st}: {body}")

    rows = list(peers_seed.record_rows())
    local = threading.local()
    failures = []

    def create(row):
        if not hasattr(local, "client"):
            local.client = Client(url, ca)
        dept, title, text, _created = row
        st, _, body = local.client.request(
            "POST",
            CREATE_PATH,
            {"department": dept, "fields": {"title": title, "body": text}},
            headers=auth,
        )
        if st != 201:
            failures.append((st, body))

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(SEED_THREADS) as pool:
        list(pool.map(create, rows))
    took = time.monotonic() - t0
    if failures:
        sys.exit(f"peers.py: {len(failures)} record creations failed, first: {failures[0]}")
    print(f"seeded {len(rows)} records over {len(peers_seed.DEPARTMENTS)} departments through "
          f"POST {CREATE_PATH} ({SEED_THREADS} connections) in {took:.1f} s ({len(rows) / took:.0f}/s)")


def check(url, ca):
    email, password = env("BENCH_USER_EMAIL"), env("BENCH_USER_PASSWORD")
    c = Client(url, ca)
    fails = []

    def expect(label, got, want):
        ok = got == want
        print(f"  [{'ok' if ok else 'FAIL'}] {label}: {got} (want {want})")
        if not ok:
            fails.append(label)

    st, _, body = c.request("GET", "/healthz")
    expect("GET /healthz", (st, body), (200, {"status": "ok"}))
    st, _, _ = c.request("POST", "/api/auth/login", {"email": email, "password": "not the password"})
    expect("POST /api/auth/login wrong password", st, 401)
    cookie, token = cookie_session(c, email, password)
    st, _, _ = c.request("GET", LIST_PATH)
    expect("GET records without a session", st, 401)
    st, _, body = c.request("GET", LIST_PATH, headers={"Cookie": cookie})
    page = body.get("records", []) if st == 200 else []
    expect("GET records of sales (status, rows)", (st, len(page)), (200, 20))
    if page:
        expect("every row is of sales", {r["department"] for r in page}, {"sales"})
        print(f"    first row fields={sorted(page[0]['fields'])} body_len={len(page[0]['fields']['body'])}")
    other = f"/api/collections/{COLLECTION}/records?" + urllib.parse.urlencode(
        {"filter": 'department = "finance"', "limit": "20"}, quote_via=urllib.parse.quote)
    st, _, body = c.request("GET", other, headers={"Cookie": cookie})
    expect("GET records of finance (no grant there): rows", (st, len((body or {}).get("records", []))), (200, 0))
    new = {"department": "sales", "fields": {"title": "check", "body": "x" * 200}}
    origin = {"Cookie": cookie, "Origin": env("BENCH_PUBLIC_ORIGIN")}
    st, _, _ = c.request("POST", CREATE_PATH, new, headers=origin)
    expect("POST records without the CSRF header", st, 403)
    st, _, _ = c.request("POST", CREATE_PATH, new, headers=dict(origin, **{"X-CSRF-Token": "bogus" + token[5:]}))
    expect("POST records with a wrong CSRF token", st, 403)
    st, _, _ = c.request("POST", CREATE_PATH, new, headers={"Cookie": cookie, "X-CSRF-Token": token})
    expect("POST records with the token but no Origin/Sec-Fetch-Site", st, 403)
    st, _, _ = c.request("POST", CREATE_PATH, new, headers=dict(origin, **{"X-CSRF-Token": token}))
    expect("POST records with the CSRF token", st, 201)
    hr = {"department": "hr", "fields": {"title": "t", "body": "b"}}
    st, _, _ = c.request("POST", CREATE_PATH, hr, headers=dict(origin, **{"X-CSRF-Token": token}))
    expect("POST records in hr (no grant there)", st in (403, 404), True)
    if fails:
        sys.exit(f"{len(fails)} check(s) failed: {fails}")
    print("  all checks passed")


def sessions(url, ca, n, out):
    email, password = env("BENCH_USER_EMAIL"), env("BENCH_USER_PASSWORD")
    c = Client(url, ca)
    with open(out, "w") as f:
        for _ in range(n):
            cookie, token = cookie_session(c, email, password)
            f.write(f"{cookie}\t{token}\n")
    print(f"  minted {n} cookie sessions")


ENDPOINTS = {
    "healthz": "GET /healthz",
    "records_get": "GET 20 records",
    "records_post": "POST a record",
    "login": "sign-in",
}


def label(endpoint):
    """login_cN: the sign-in again with N connections."""
    if endpoint.startswith("login_c"):
        return f"sign-in, c{endpoint[len('login_c'):]}"
    return ENDPOINTS[endpoint]

ROW_FIELDS = ["server", "endpoint", "connections", "req_per_s", "ok_per_s", "p50_ms", "p99_ms", "requests", "non_2xx",
              "socket_errors", "idle_rss_kib", "peak_rss_kib", "cpu_busy_before_pct",
              "other_cpu_during_pct", "server_cores_used", "wrk_cores_used", "attempts", "rows_inserted"]


def report(rows_file, tsv, history, max_other):
    """The comparison table (stdout) and its TSV; ratios are Rampart's 2xx answers per second
    over each server's, endpoint by endpoint."""
    rows = [dict(zip(ROW_FIELDS, line.rstrip("\n").split("\t"))) for line in open(rows_file) if line.strip()]
    ok = {(r["server"], r["endpoint"]): float(r["ok_per_s"] or 0) for r in rows}
    variants = [v for v in ("rampart-https", "rampart-http") if any(r["server"] == v for r in rows)]

    def ratio(variant, r):
        mine, theirs = ok.get((variant, r["endpoint"])), float(r["ok_per_s"] or 0)
        return f"{mine / theirs:.2f}" if mine is not None and theirs > 0 else ""

    wrk_fmt = os.environ.get("BENCH_WRK", "{}")  # "{}" stands for the connections
    wrk = wrk_fmt.format(os.environ.get("BENCH_CONNECTIONS", "64"))
    endpoints = list(ENDPOINTS) + sorted({r["endpoint"] for r in rows} - set(ENDPOINTS))
    cores = os.cpu_count()
    print(f"\n== results: the peers' reference workload, wrk {wrk}, one server at a time, "
          f"{cores} cores shared by wrk and the server")
    head = f"   {'endpoint':<16} {'server':<18} {'ok/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} " \
           f"{'busy before':>11} {'other CPU':>9} {'server/wrk cores':>16}"
    head += "".join(f" {v + ' / this':>20}" for v in variants)
    print(head)
    for ep in endpoints:
        if ep != "healthz":
            print()
        for r in (r for r in rows if r["endpoint"] == ep):
            flag = "*" if int(r["other_cpu_during_pct"]) >= max_other else " "
            line = (f"   {label(ep):<16} {r['server']:<18} {float(r['ok_per_s'] or 0):>9,.0f} "
                    f"{float(r['p50_ms']):>8.2f} {float(r['p99_ms']):>8.2f} {r['non_2xx']:>8} "
                    f"{r['cpu_busy_before_pct'] + '%':>11} {r['other_cpu_during_pct'] + '%' + flag:>9} "
                    f"{r['server_cores_used'] + ' / ' + r['wrk_cores_used']:>16}")
            line += "".join(f" {ratio(v, r):>20}" for v in variants)
            print(line)
    seen = []
    for r in rows:
        if r["server"] not in seen:
            seen.append(r["server"])
    print("   idle RSS right after start, 10,000 records in the database (process tree): " + ", ".join(
        f"{s} {int(next(r for r in rows if r['server'] == s)['idle_rss_kib']) / 1024:.1f} MiB" for s in seen))
    print("   peak RSS by the end (sum of each process's peak): " + ", ".join(
        f"{s} {max(int(r['peak_rss_kib']) for r in rows if r['server'] == s) / 1024:.1f} MiB" for s in seen))
    inserted = ", ".join(f"{r['server']} {r['rows_inserted']}" for r in rows if r["rows_inserted"])
    print(f"   rows inserted by the POST warm-up and run(s): {inserted}")
    print("   ok/s: 2xx answers per second (sign-in: only the 200s count); p50/p99 over every answer (503s too);")
    for ep in endpoints:
        if ep.startswith("login_c"):
            print(f"   '{label(ep)}': the sign-in with {ep[len('login_c'):]} connections, fewer than Rampart's hashing queue (32)")
    print(f"   busy before: the whole machine just before the run; other CPU: what processes other than the")
    print(f"   server and wrk took during it (* = {max_other}% or more: disturbed, repeated up to BENCH_RETRIES times)")

    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    rev = os.environ.get("BENCH_REV", "unknown")
    header = ["run_utc", "git_rev", "server", "endpoint", "wrk"] + ROW_FIELDS[2:] + \
             [f"ratio_{v.replace('-', '_')}" for v in ("rampart-https", "rampart-http")] + ["cores"]
    lines = []
    for r in rows:
        lines.append([now, rev, r["server"], label(r["endpoint"]), wrk_fmt.format(r["connections"])] +
                     [r[f] for f in ROW_FIELDS[2:]] +
                     [ratio(v, r) if v in variants else "" for v in ("rampart-https", "rampart-http")] + [str(cores)])
    with open(tsv, "w") as f:
        for line in [header] + lines:
            f.write("\t".join(line) + "\n")
    new_history = not os.path.exists(history) or os.path.getsize(history) == 0
    with open(history, "a") as f:
        for line in ([header] if new_history else []) + lines:
            f.write("\t".join(line) + "\n")


def main(argv):
    if len(argv) == 6 and argv[1] == "report":
        report(argv[2], argv[3], argv[4], int(argv[5]))
        return
    if len(argv) < 4 or argv[1] not in ("seed", "check", "sessions"):
        sys.exit(__doc__)
    cmd, url, ca = argv[1], argv[2], argv[3]
    ca = None if ca == "-" else ca
    if cmd == "seed" and len(argv) == 5:
        seed(url, ca, argv[4])
    elif cmd == "check" and len(argv) == 4:
        check(url, ca)
    elif cmd == "sessions" and len(argv) == 6:
        sessions(url, ca, int(argv[4]), argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
