#!/usr/bin/env python3
"""Runs sqlmap on each target (sqlmap_targets.py) through the auth proxy, and judges the run.

Usage: sqlmap_run.py TARGETS_JSON PROXY_URL OUT_DIR DBMS quick|full JOBS SQLMAP_BINARY

Each target is one sqlmap run with one injection point (`*`). Its verdict, from sqlmap's text
(its exit code says nothing) and from what the proxy saw:
  VULNERABLE    sqlmap "identified the following injection point"
  CLEAN         sqlmap says the point does "not appear to be injectable", AND the request with
                the example values (sqlmap's first) got an answer the target expects from its
                handler, AND no answer came from a door instead (401 `unauthenticated` after a
                fresh sign-in, `reauth_required`, `mfa_enrolment_required`, `csrf_rejected`,
                `lockdown`, `rate_limited`, `busy`, a timeout)
  INCONCLUSIVE  anything else (sqlmap stopped early, the first answer was not the handler's,
                requests bounced): counted as a failure, never as a pass
Writes OUT_DIR/sqlmap-summary.json and one line per target to standard output; exits 1 when
any target is not CLEAN.

Levels (justified in docs/security-scan.md): quick = --level 1 --risk 1 on every parameter,
--technique BEUT on GET and BET on the requests that write; full = --technique BEUST with --level 5 --risk 3 on the record filter,
--level 3 --risk 2 on the other query parameters of the searches (records, audit, alerts,
incidents) and --level 2 --risk 1 on every other parameter;
--time-sec 2 on PostgreSQL (pg_sleep is exact), --time-sec 1 on SQLite (no sleep function:
sqlmap's heavy-query delay; a 1 s threshold still stands far above a loopback request).
"""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

LEVELS = {
    "quick": ["--level", "1", "--risk", "1", "--technique", "BEUT"],
    # quick, on a request that writes: no UNION (it reads rows through a SELECT's answer; a
    # write answers with at most the row it wrote, and its echo misleads the ORDER BY probe).
    "quick-write": ["--level", "1", "--risk", "1", "--technique", "BET"],
    # full: the record filter (client text parsed into a WHERE) at sqlmap's highest level and
    # risk; the other query parameters of the searches at level 3 / risk 2; every other
    # parameter at level 2 / risk 1. (Level 5 / risk 3 everywhere: over two hours an engine.)
    "full-filter": ["--level", "5", "--risk", "3", "--technique", "BEUST"],
    "full-search": ["--level", "3", "--risk", "2", "--technique", "BEUST"],
    "full": ["--level", "2", "--risk", "1", "--technique", "BEUST"],
}
# The operations whose query parameters are searches.
SEARCHES = ("GET /api/collections/{name}/records", "GET /api/audit", "GET /api/alerts",
            "GET /api/incidents")


def level_of(t, mode):
    if mode == "quick":
        return "quick" if t["method"] == "GET" else "quick-write"
    if base_op(t) not in SEARCHES or not t["param"].startswith("query:"):
        return mode
    return "full-filter" if t["param"].startswith("query:filter") else "full-search"


# Operations that change what other targets stand on run last, one at a time, in this order.
LATE = [
    "PUT /api/users/{id}/roles/{role}",
    "DELETE /api/users/{id}/roles/{role}",
    "DELETE /api/users/{id}/factors",
    "DELETE /api/users/{id}/sessions",
    "POST /api/users/{id}/disable",
    "POST /api/users/{id}/enable",
    "POST /api/incidents/{id}/containment",
    "DELETE /api/sessions",
    "POST /api/auth/password/change",
    "DELETE /api/roles/{name}",
    "DELETE /api/departments/{name}",
    "DELETE /api/collections/{name}",
    "DELETE /api/collections/{name}/records/{id}",
    "POST /api/collections/{name}/records/{id}/restore",
    "POST /api/auth/reauth",
]


def main():
    targets_file, proxy, out, dbms, mode, jobs, sqlmap = sys.argv[1:8]
    data = json.load(open(targets_file))
    targets = data["targets"]
    early = [t for t in targets if base_op(t) not in LATE]
    late = sorted((t for t in targets if base_op(t) in LATE), key=lambda t: LATE.index(base_op(t)))
    started = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=int(jobs)) as pool:
        for result in pool.map(lambda t: run(t, proxy, out, dbms, mode, sqlmap), early):
            results.append(result)
            report(result)
    for t in late:
        result = run(t, proxy, out, dbms, mode, sqlmap)
        results.append(result)
        report(result)
    elapsed = time.time() - started
    verdicts = [r["verdict"] for r in results]
    summary = {
        "dbms": dbms,
        "mode": mode,
        "targets": len({r["op"] for r in results}),
        "runs": len(results),
        "parameters": sum(len(r["params"]) for r in results),
        "requests": sum(r["requests"] for r in results),
        "seconds": round(elapsed, 1),
        "clean": verdicts.count("CLEAN"),
        "vulnerable": verdicts.count("VULNERABLE"),
        "inconclusive": verdicts.count("INCONCLUSIVE"),
        "skipped": data.get("skipped", []),
        "results": results,
    }
    json.dump(summary, open(os.path.join(out, "sqlmap-summary.json"), "w"), indent=1)
    print(f"   {summary['parameters']} injection points in {summary['targets']} targets "
          f"({summary['runs']} sqlmap runs), "
          f"{summary['requests']} requests, {elapsed:.0f} s: {summary['clean']} clean, "
          f"{summary['vulnerable']} vulnerable, {summary['inconclusive']} inconclusive")
    sys.exit(0 if summary["clean"] == len(results) else 1)


def base_op(t):
    return t["op"].split(" as ")[0]


def run(t, proxy, out, dbms, mode, sqlmap):
    workdir = os.path.join(out, "sqlmap", t["id"])
    os.makedirs(workdir, exist_ok=True)
    ignore = sorted({c for c in t["expect"] if c >= 400})
    level = level_of(t, mode)
    cmd = [sqlmap, "-u", proxy + t["url"], "--method", t["method"], "--batch",
           "--dbms", dbms, *LEVELS[level], "--time-sec", "2" if dbms == "PostgreSQL" else "1",
           "--flush-session", "--disable-coloring", "--output-dir", workdir,
           "--timeout", "15", "--retries", "1", "--skip-waf",
           # After a finding, the other points of the run are still tested.
           "--answers", "keep testing=Y",
           # A bounded UNION range: an endpoint that echoes its input (a renamed collection's
           # title) makes sqlmap's ORDER BY probe "find" hundreds of columns, then it spends an
           # hour on UNIONs that width. No query of Rampart's selects 30 columns.
           "--union-cols", "1-10" if mode == "quick" else "1-30",
           "-H", f"X-Scan-As: {t['principal']}", "-H", f"X-Scan-Target: {t['id']}",
           "-H", "Accept: application/json"]
    if ignore:
        cmd += ["--ignore-code", ",".join(map(str, ignore))]
    if t.get("data") is not None:
        cmd += ["--data", t["data"], "-H", "Content-Type: application/json"]
        # With a body, sqlmap also tests its JSON values by name (PATCH, and POST with the
        # marker elsewhere): each target tests only its own point.
        names = sorted(set(re.findall(r'"([^"]+)":', t["data"])))
        if names:
            cmd += ["--skip", ",".join(names)]
    for k, v in (t.get("headers") or {}).items():
        if k == "User-Agent":
            # sqlmap takes the User-Agent through -A; -p names it as the point to test.
            cmd += ["-A", v.rstrip("*")]
            if t["param"] == "header:User-Agent":
                cmd += ["-p", "User-Agent"]
        else:
            cmd += ["-H", f"{k}: {v}"]
    started = time.time()
    with open(os.path.join(workdir, "sqlmap.txt"), "w") as log:
        log.write(" ".join(shlex_quote(c) for c in cmd) + "\n")
        log.flush()
        try:
            rc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=dict(os.environ, TERM="dumb"), timeout=3600).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    text = open(os.path.join(workdir, "sqlmap.txt"), errors="replace").read()
    stats = proxy_stats(proxy, t["id"])
    first = stats.get("first") or [None, None]
    verdict, why = judge(text, rc, stats, t)
    return {
        "id": t["id"], "op": t["op"], "param": t["param"], "params": t.get("params", [t["param"]]),
        "principal": t["principal"],
        "verdict": verdict, "why": why, "first": first, "requests": stats.get("requests", 0),
        "refreshed": stats.get("refreshed", 0), "counts": stats.get("counts", {}),
        "seconds": round(time.time() - started, 1),
        "heuristic": bool(re.search(r"might be injectable", text)),
    }


def judge(text, rc, stats, t):
    ignored = []
    if "identified the following injection point" in text:
        names = identified(text, t)
        unconfirmed = "not able to fingerprint the back-end database management system" in text
        known = all((base_op(t), n) in SQLMAP_IGNORE or ("*", n) in SQLMAP_IGNORE for n in names)
        if not (unconfirmed and names and known):
            return "VULNERABLE", f"sqlmap identified an injection point: {', '.join(names)}"
        ignored = names
    first = stats.get("first")
    if not first:
        return "INCONCLUSIVE", f"no request reached the proxy (sqlmap rc={rc})"
    if first[0] not in t["expect"]:
        return "INCONCLUSIVE", f"the example request got {first[0]} {first[1] or ''}, not {t['expect']}"
    if stats.get("bounced"):
        bounced = {k: v for k, v in stats["counts"].items() if k.split(" ", 1)[1] in BOUNCED}
        return "INCONCLUSIVE", f"{stats['bounced']} answers from a door, not the handler: {bounced}"
    if ignored:
        rest = len(t.get("params", [t["param"]])) - len(ignored)
        if text.count("does not seem to be injectable") >= rest:
            return "CLEAN", f"ignored (SQLMAP_IGNORE): {', '.join(ignored)}"
        return "INCONCLUSIVE", "an ignored finding, and not every other point was tested"
    if "do not appear to be injectable" in text or "does not seem to be injectable" in text:
        return "CLEAN", ""
    tail = [line for line in text.splitlines() if "[CRITICAL]" in line or "[ERROR]" in line][-2:]
    return "INCONCLUSIVE", f"sqlmap did not finish (rc={rc}): {' | '.join(tail)[:300]}"


# sqlmap findings that are not injections, each with its reason. An entry applies only while
# sqlmap itself cannot confirm a database behind the finding ("not able to fingerprint the
# back-end database management system"): a confirmed one still fails.
SQLMAP_IGNORE = {
    # Empty. Until 1 December 2026 it held ("*", "body:session"): the 422 message of a refused
    # enum named the column where parsing stopped, which moved with the payload's length, and
    # sqlmap once took the difference for a boolean signal. The message no longer gives a
    # position for a body of the wrong shape (crates/http/src/extract.rs).
}


def identified(text, t):
    """The target's parameters sqlmap reports injectable ("Parameter: JSON #2* ((custom) POST)")."""
    body = [p for p in t.get("params", [t["param"]]) if p.startswith("body:")]
    names = []
    for name, place in re.findall(r"^Parameter: (.+?) \((.+?)\)$", text, re.M):
        marker = re.fullmatch(r"(?:JSON )?#(\d+)\*", name)
        if marker and "POST" in place and len(body) >= int(marker.group(1)):
            names.append(body[int(marker.group(1)) - 1])
        elif name.startswith("JSON "):
            names.append("body:" + name[5:])
        else:
            names.append(name)
    return names


BOUNCED = {"unauthenticated", "mfa_enrolment_required", "reauth_required", "csrf_rejected",
           "lockdown", "rate_limited", "busy", "request_timeout", "upstream_error"}


def proxy_stats(proxy, target):
    try:
        with urllib.request.urlopen(f"{proxy}/__scan/stats/{target}", timeout=10) as r:
            return json.load(r)
    except OSError:
        return {}


def report(r):
    extra = f" ({r['why']})" if r["why"] else ""
    print(f"   {r['verdict']:<12} {r['op'][:70]:<70} {r['param'][:40]:<40} "
          f"{r['requests']:>5} req {r['seconds']:>6.1f} s{extra}", flush=True)


def shlex_quote(s):
    import shlex
    return shlex.quote(s)


if __name__ == "__main__":
    main()
