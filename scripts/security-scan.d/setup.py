#!/usr/bin/env python3
"""Prepares a freshly seeded `rampart serve` for the security scan, and says what to send.

Usage: setup.py BASE_URL CA_FILE OWNER_EMAIL OWNER_PASSWORD SEED_DEMO_OUTPUT FIXTURES_OUT

After `rampart user create-owner` and `rampart seed-demo`: signs the people in, enrols an
authenticator app (TOTP) for the owner (whose role requires a second factor) and for
support@ (who then stands for a sign-in waiting for its code), makes the throwaway objects
that the scan's state-changing requests may change or delete (a department, a role, a
collection, records, an incident, an API key, a second session), and writes FIXTURES_OUT:

  principals: name -> {kind, email, passwords, totp_secret?, user_id, token}
  examples:   "METHOD /path/{template}" -> {principal, path, query, body, headers, expect}
              the values of one request that reaches the handler (expect: the statuses it may
              answer; 2xx unless said), for each operation this script knows
  collections: name -> the collection's definition (GET /api/collections/{name})

The principals: owner (everything that needs a permission, signed in with password and code,
step-up fresh), sales (staff in sales), support (staff, TOTP; `pending` is its sign-in waiting
for the code), finance (department lead: sensitive fields), hr (its own account: password,
factors, API keys, sessions), customer (its own records).
"""

import json
import re
import sys
import time
import uuid

from scanlib import Client, TotpClock, Upstream, new_record_body, sign_in

NOWHERE = "00000000-0000-4000-8000-000000000000"  # a well-formed id that names nothing
# The collections each principal's record targets use (sqlmap_targets.RECORD_PRINCIPALS, full).
RECORD_COLLECTIONS = {
    "sales": ["leads", "orders"],
    "customer": ["customers", "orders"],
    "finance": ["customers", "invoices"],
    "owner": ["employees"],
}


def main():
    base, ca, owner_email, owner_password, demo_file, out = sys.argv[1:7]
    client = Client(Upstream(base, ca))
    demo = parse_demo(open(demo_file).read())
    principals = {}

    def principal(name, email, password, kind="password", secret=None):
        p = {"kind": kind, "email": email, "passwords": [password]}
        if secret:
            p["totp_secret"] = secret
        principals[name] = p
        return p

    # The owner: the first sign-in can only enrol a second factor; confirming it gives a full
    # session signed in with both (which is also a fresh step-up).
    owner = principal("owner", owner_email, owner_password, "totp")
    owner["token"], owner["totp_secret"], owner["totp_last_step"] = enrol_totp(
        client, owner_email, owner_password
    )
    for name in ("sales", "finance", "hr", "customer"):
        email = f"{name}@demo.rampart.test"
        p = principal(name, email, demo[email])
        p["token"] = sign_in(client, p)
    # support@ gets an authenticator app too: its password alone then gives a pending sign-in.
    support_email = "support@demo.rampart.test"
    support = principal("support", support_email, demo[support_email], "totp")
    support["token"], support["totp_secret"], support["totp_last_step"] = enrol_totp(
        client, support_email, demo[support_email]
    )
    pending = principal("pending", support_email, demo[support_email], "pending")
    pending["totp_secret"] = support["totp_secret"]
    pending["token"] = sign_in(client, pending)
    for name, p in principals.items():
        if name != "pending":  # a sign-in waiting for its code is nobody yet
            p["me"] = client.expect(200, "GET", "/api/me", token=p["token"]).json()
            p["user_id"] = p["me"]["id"]
    pending["user_id"] = support["user_id"]

    # hr's password changes once when the password-change request succeeds: both are known.
    hr = principals["hr"]
    hr_new_password = "a new passphrase for the scan " + uuid.uuid4().hex[:8]
    hr["passwords"].append(hr_new_password)

    t_owner = owner["token"]
    get = lambda path, token: client.expect(200, "GET", path, token=token).json()  # noqa: E731

    collections = {}
    for name in ("leads", "customers", "orders", "invoices", "employees"):
        collections[name] = get(f"/api/collections/{name}", t_owner)

    # Throwaway objects the state-changing requests act on.
    client.expect(
        (200, 201), "POST", "/api/departments", {"name": "scratch", "title": "Scratch"}, t_owner
    )
    client.expect(
        (200, 201),
        "POST",
        "/api/roles",
        {"name": "scratch_role", "description": "scan", "permissions": ["records:read"]},
        t_owner,
    )
    scratch_fields = [
        {"name": "title", "type": "text", "max_length": 200, "required": True},
        {"name": "amount", "type": "integer"},
    ]
    client.expect(
        (200, 201),
        "POST",
        "/api/collections",
        {"name": "scratch", "title": "Scratch", "fields": scratch_fields},
        t_owner,
    )
    incident = client.expect(
        (200, 201),
        "POST",
        "/api/incidents",
        {"severity": "low", "summary": "security scan"},
        t_owner,
    ).json()

    # Records: for each principal and collection scanned, one it can read, a cursor to the
    # next page, and — where it may create — throwaway ones to change, delete and restore.
    records = {}
    for who, names in RECORD_COLLECTIONS.items():
        token = principals[who]["token"]
        for name in names:
            records.setdefault(who, {})[name] = record_fixture(
                client, token, who, name, collections[name], principals[who]
            )

    t_hr = hr["token"]
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30 * 86400))
    api_key = client.expect(
        (200, 201), "POST", "/api/me/api-keys", {"name": "scan key", "expires_at": expires}, t_hr
    ).json()
    # A second session of hr's, for ending one of one's own sessions.
    second = sign_in(client, {"kind": "password", "email": hr["email"], "passwords": hr["passwords"][:1]})
    sessions = get("/api/me/sessions", second)
    other_session = next(s["id"] for s in sessions if not s.get("current"))
    passkey_options = client.expect(200, "POST", "/api/me/passkeys/options", None, t_hr).json()
    passkey_login = client.expect(200, "POST", "/api/auth/login/passkey/start").json()
    alerts = get("/api/alerts", t_owner)
    alert_list = alerts.get("alerts", alerts) if isinstance(alerts, dict) else alerts
    alert_id = alert_list[0]["id"] if alert_list else 999999999  # alert ids are integers

    support_id = support["user_id"]
    fake_credential = {
        "id": "c2Nhbg",
        "rawId": "c2Nhbg",
        "type": "public-key",
        "response": {
            "clientDataJSON": "c2Nhbg",
            "attestationObject": "c2Nhbg",
            "authenticatorData": "c2Nhbg",
            "signature": "c2Nhbg",
        },
    }
    ex = {}

    def example(op, principal_name, path=None, query=None, body=None, headers=None, expect=None):
        ex[op] = {
            "principal": principal_name,
            "path": path or {},
            "query": query or {},
            "body": body,
            "headers": headers or {},
            "expect": expect or [200, 201, 202, 204],
        }

    # auth (public)
    example("POST /api/auth/login", "anon",
            body={"email": "nobody@scan.example", "password": "not the password", "session": "token"},
            expect=[401, 429])
    # A sign-in that succeeds stores the browser's User-Agent (session, device, audit trail).
    sales = principals["sales"]
    example("POST /api/auth/login (signed in)", "anon",
            body={"email": sales["email"], "password": sales["passwords"][0], "session": "token"},
            headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) security-scan"})
    ex["POST /api/auth/login (signed in)"]["inject_headers"] = ["User-Agent"]
    example("POST /api/auth/login/mfa", "pending",
            body={"code": "123456", "recovery_code": "aaaa-bbbb-cccc-dddd", "session": "token"},
            expect=[401, 403, 422])
    example("POST /api/auth/login/passkey/finish", "anon",
            body={"challenge_id": passkey_login["challenge_id"], "credential": fake_credential,
                  "session": "token"},
            expect=[400, 401, 403, 404, 422])
    example("POST /api/auth/register", "anon",
            body={"email": "visitor@scan.example", "password": "a visitor passphrase 42"})
    example("POST /api/auth/verify-email", "anon", body={"token": "0" * 64}, expect=[400, 401, 404, 410, 422])
    example("POST /api/auth/email/confirm", "anon", body={"token": "0" * 64}, expect=[400, 401, 404, 410, 422])
    example("POST /api/invitations/accept", "anon",
            body={"token": "0" * 64, "password": "an invitee passphrase 42", "session": "token"},
            expect=[400, 401, 404, 410, 422])
    example("POST /api/auth/password/forgot", "anon", body={"email": "nobody@scan.example"})
    example("POST /api/auth/password/reset", "anon",
            body={"token": "0" * 64, "password": "a reset passphrase 42"}, expect=[400, 401, 404, 410, 422])
    example("POST /api/auth/bootstrap", "anon",
            body={"token": "0" * 64, "email": "owner2@scan.example", "password": "an owner passphrase 42"},
            expect=[400, 401, 403, 404, 409, 410, 422])
    # Reauth: a wrong password counts against hr's address (429 after sign_in.free_failures),
    # a right one replaces hr's session: it runs last (sqlmap_run.LATE).
    example("POST /api/auth/reauth", "hr", body={"password": hr["passwords"][0]},
            expect=[200, 401, 422, 429])
    example("POST /api/auth/password/change", "hr",
            body={"current_password": hr["passwords"][0], "new_password": hr_new_password,
                  "sign_out_other_sessions": False},
            expect=[200, 204, 401, 403, 422, 429])
    # me (hr: its own account)
    example("POST /api/me/mfa/totp/confirm", "hr", body={"code": "123456", "session": "token"},
            expect=[400, 401, 403, 404, 409, 422])
    example("POST /api/me/passkeys", "hr",
            body={"challenge_id": passkey_options["challenge_id"], "name": "scan key",
                  "credential": fake_credential},
            expect=[400, 401, 403, 404, 422])
    example("PATCH /api/me/passkeys/{id}", "hr", path={"id": NOWHERE}, body={"name": "renamed"},
            expect=[404])
    example("DELETE /api/me/passkeys/{id}", "hr", path={"id": NOWHERE}, expect=[404])
    example("DELETE /api/me/sessions/{id}", "hr", path={"id": other_session}, expect=[200, 204, 404])
    example("POST /api/me/api-keys", "hr",
            body={"name": "scan key", "permissions": ["records:read"], "allowed_cidrs": ["127.0.0.0/8"],
                  "expires_at": expires})
    example("DELETE /api/me/api-keys/{id}", "hr", path={"id": api_key["api_key"]["id"]}, expect=[200, 204, 404])
    # users (owner; support is the account acted on)
    for op in ("GET /api/users/{id}/sessions", "DELETE /api/users/{id}/sessions",
               "DELETE /api/users/{id}/factors", "POST /api/users/{id}/disable",
               "POST /api/users/{id}/enable", "GET /api/users/{id}/roles",
               "GET /api/users/{id}/factors"):
        example(op, "owner", path={"id": support_id})
    example("PUT /api/users/{id}/roles/{role}", "owner", path={"id": support_id, "role": "scratch_role"},
            body={"departments": ["support"]})
    example("DELETE /api/users/{id}/roles/{role}", "owner",
            path={"id": support_id, "role": "scratch_role"}, expect=[200, 204, 404])
    example("DELETE /api/sessions", "owner")
    # the user list, invitations, erasure (owner; erasure of nobody: the scan keeps its people)
    example("GET /api/users", "owner",
            query={"email": "sales@demo.rampart.test", "role": "staff", "department": "sales",
                   "status": "active", "limit": "5"})
    example("POST /api/invitations", "owner",
            body={"email": "invitee@scan.example", "grants": [{"role": "staff", "departments": ["sales"]}]},
            expect=[200, 201, 403, 409])
    example("DELETE /api/invitations/{id}", "owner",
            path={"id": "00000000-0000-4000-8000-000000000000"}, expect=[204, 404])
    example("DELETE /api/users/{id}", "owner",
            path={"id": "00000000-0000-4000-8000-000000000000"}, expect=[204, 403, 404])
    # audit, alerts
    example("GET /api/audit", "owner",
            query={"actor": owner["user_id"], "action": "authn_login_success", "outcome": "success",
                   "since": "2020-01-01T00:00:00Z", "until": "2099-01-01T00:00:00Z",
                   "before": "1000000", "limit": "10"})
    example("GET /api/alerts", "owner", query={"status": "open", "before": "1000000", "limit": "10"})
    example("POST /api/alerts/{id}/status", "owner", path={"id": alert_id}, body={"status": "acknowledged"},
            expect=[200, 204, 404])
    # departments, roles, collections (owner; the scratch ones change)
    example("POST /api/departments", "owner", body={"name": "scratch2", "title": "Scratch two"},
            expect=[200, 201, 409])
    example("PATCH /api/departments/{name}", "owner", path={"name": "scratch"}, body={"title": "Scratch"},
            expect=[200, 204, 404])
    example("DELETE /api/departments/{name}", "owner", path={"name": "scratch"}, expect=[200, 204, 404, 409])
    example("POST /api/roles", "owner",
            body={"name": "scratch_role2", "description": "scan", "permissions": ["records:read"]},
            expect=[200, 201, 409])
    example("PUT /api/roles/{name}", "owner", path={"name": "scratch_role"},
            body={"description": "scan", "permissions": ["records:read"]}, expect=[200, 204, 404])
    example("DELETE /api/roles/{name}", "owner", path={"name": "scratch_role"}, expect=[200, 204, 404, 409])
    example("POST /api/collections", "owner",
            body={"name": "scratch2", "title": "Scratch two", "fields": scratch_fields},
            expect=[200, 201, 409])
    example("GET /api/collections/{name}", "sales", path={"name": "leads"})
    example("PUT /api/collections/{name}", "owner", path={"name": "scratch"},
            body={"title": "Scratch", "fields": scratch_fields}, expect=[200, 204, 404])
    example("DELETE /api/collections/{name}", "owner", path={"name": "scratch"}, expect=[200, 204, 404, 409])
    # incidents
    example("GET /api/incidents", "owner", query={"status": "open", "limit": "10"})
    example("POST /api/incidents", "owner", body={"severity": "low", "summary": "scan", "note": "scan"})
    example("GET /api/incidents/{id}", "owner", path={"id": incident["id"]})
    example("PATCH /api/incidents/{id}", "owner", path={"id": incident["id"]},
            body={"severity": "low", "summary": "security scan", "status": "open", "note": "scan"})
    example("POST /api/incidents/{id}/containment", "owner", path={"id": incident["id"]},
            body={"action": "revoke_sessions", "user_id": support_id, "reason": "scan"})
    example("PUT /api/incident/lockdown", "owner", body={"active": False, "reason": "scan"})
    # forms (anyone)
    example("POST /api/forms/{collection}", "anon", path={"collection": "leads"},
            body={"name": "Scan Visitor", "email": "visitor@scan.example", "message": "hello",
                  "_gotcha": ""})

    fixtures = {
        "principals": principals,
        "examples": ex,
        "collections": collections,
        "records": records,
        "made_at": time.time(),
    }
    with open(out, "w") as f:
        json.dump(fixtures, f, indent=1)
    print(f"   principals: {', '.join(sorted(principals))}; "
          f"{len(ex)} operations with known-good values; incident {incident['id']}")


def record_fixture(client, token, who, name, definition, principal):
    """What the record targets of `who` in collection `name` act on."""
    department = None
    if definition.get("department_scoped"):
        me = client.expect(200, "GET", "/api/me", token=token).json()
        mine = [d for g in me.get("grants", []) for d in (g.get("departments") or [])]
        allowed = definition.get("departments") or []
        department = next((d for d in mine if d in allowed), None)
        if principal["kind"] != "password" or who == "customer":
            department = None
    fixture = {"read": NOWHERE, "patch": NOWHERE, "delete": NOWHERE, "restore": NOWHERE,
               "department": department, "cursor": None}
    sensitive_ok = "records:read_sensitive" in principal["me"]["permissions"] or who == "customer"
    body = new_record_body(definition, {"records": {who: {name: fixture}}}, who, name,
                           sensitive_ok)
    made = []
    for _ in range(3):
        response = client.request("POST", f"/api/collections/{name}/records", body, token)
        if response.status not in (200, 201):
            break
        made.append(response.json()["id"])
        # A unique field cannot take the same value twice: vary the text ones.
        for f in definition["fields"]:
            if f.get("unique") and isinstance(body["fields"].get(f["name"]), str):
                body["fields"][f["name"]] = "x" + body["fields"][f["name"]]
    if len(made) == 3:
        fixture["patch"], fixture["delete"], fixture["restore"] = made
        client.expect((200, 204), "DELETE", f"/api/collections/{name}/records/{made[2]}", None, token)
    # The list targets send sort=-created_at: a cursor from the same order.
    page = client.expect(
        200, "GET", f"/api/collections/{name}/records?limit=1&sort=-created_at", token=token
    ).json()
    fixture["cursor"] = page.get("next")
    listed = client.expect(200, "GET", f"/api/collections/{name}/records?limit=100", token=token)
    kept = [r["id"] for r in listed.json().get("records", []) if r["id"] not in made]
    if kept:
        fixture["read"] = kept[0]
        if fixture["patch"] == NOWHERE:
            fixture["patch"] = fixture["read"]
    target = fixture["patch"]
    if target != NOWHERE:
        got = client.request("GET", f"/api/collections/{name}/records/{target}", token=token)
        fixture["etag"] = got.headers.get("etag") or got.headers.get("ETag")
    fixture["created"] = len(made)
    return fixture


def enrol_totp(client, email, password):
    """Signs in, enrols an authenticator app, confirms it: (full session token, secret, step)."""
    token = sign_in(client, {"kind": "password", "email": email, "passwords": [password]})
    started = client.expect((200, 201), "POST", "/api/me/mfa/totp", None, token).json()
    secret = started["secret"]
    clock = TotpClock(secret)
    confirmed = client.expect(
        200, "POST", "/api/me/mfa/totp/confirm", {"code": clock.fresh_code(), "session": "token"}, token
    ).json()
    return confirmed["session"]["token"], secret, clock.last_step


def parse_demo(text):
    """`rampart seed-demo` output: '  EMAIL  PASSWORD  (grants)' lines."""
    people = {}
    for line in text.splitlines():
        match = re.match(r"^\s+(\S+@\S+)\s+(\S+)\s+\(", line)
        if match:
            people[match.group(1)] = match.group(2)
    if not people:
        raise SystemExit("setup: no people in the seed-demo output")
    return people


if __name__ == "__main__":
    main()
