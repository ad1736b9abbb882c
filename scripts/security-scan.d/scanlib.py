"""What the security scan's helpers share: HTTPS to Rampart on loopback, TOTP codes, sign-in.

Standard library only (it runs on the system python3). Rampart listens on 127.0.0.1 with a
certificate for `localhost` from the scan's test CA: every connection goes to 127.0.0.1 and
verifies the certificate for the name `localhost`.
"""

import base64
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import struct
import threading
import time
import urllib.parse


class Upstream:
    """Where Rampart is: https://localhost:PORT, certificate checked against `ca`."""

    def __init__(self, base_url, ca):
        parsed = urllib.parse.urlsplit(base_url)
        self.port = parsed.port or 443
        self.host_header = parsed.netloc
        self.context = ssl.create_default_context(cafile=ca)

    def connection(self, timeout=30):
        return _LoopbackHTTPS(self.port, self.context, timeout)


class _LoopbackHTTPS(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1, with SNI and certificate name `localhost`."""

    def __init__(self, port, context, timeout):
        super().__init__("localhost", port, context=context, timeout=timeout)

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname="localhost")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def error_code(self):
        """The stable `code` of a Rampart error body, or None."""
        data = self.json()
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            return data["error"].get("code")
        return None


class Client:
    """A small JSON client over a pool of kept-alive connections (thread-safe)."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.idle = []
        self.lock = threading.Lock()

    def _take(self):
        with self.lock:
            if self.idle:
                return self.idle.pop()
        return self.upstream.connection()

    def _give(self, conn):
        with self.lock:
            self.idle.append(conn)

    def request(self, method, path, body=None, token=None, headers=None):
        all_headers = {"Host": self.upstream.host_header, "Accept": "application/json"}
        if token:
            all_headers["Authorization"] = "Bearer " + token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        return self.raw(method, path, data, all_headers)

    def raw(self, method, path, body, headers):
        """Sends exactly these headers and body (bytes or None); the Host is Rampart's."""
        all_headers = dict(headers)
        all_headers["Host"] = self.upstream.host_header
        for attempt in (1, 2):
            # A kept-alive connection the server has closed fails at once: then a new one.
            conn = self._take() if attempt == 1 else self.upstream.connection()
            try:
                conn.request(method, path, body=body, headers=all_headers)
                raw = conn.getresponse()
                payload = raw.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                if attempt == 2:
                    raise
                with self.lock:  # its siblings are likely as stale
                    stale, self.idle = self.idle, []
                for other in stale:
                    other.close()
                continue
            if raw.will_close:
                conn.close()
            else:
                self._give(conn)
            return Response(raw.status, dict(raw.getheaders()), payload)
        raise AssertionError("unreachable")

    def expect(self, status, method, path, body=None, token=None, headers=None):
        """The request, which must answer `status` (an int or a tuple of them)."""
        response = self.request(method, path, body, token, headers)
        wanted = status if isinstance(status, tuple) else (status,)
        if response.status not in wanted:
            raise SystemExit(
                f"{method} {path}: expected {status}, got {response.status}: "
                f"{response.body[:300].decode(errors='replace')}"
            )
        return response


def totp_code(secret_b32, step, digits=6):
    """RFC 6238 (HMAC-SHA-1) code of the time step `step`."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


class TotpClock:
    """Codes that were never used: each 30-second code is accepted once, so a second sign-in
    within the same step waits for the next one."""

    def __init__(self, secret, period=30, last_step=0):
        self.secret = secret
        self.period = period
        self.last_step = last_step
        self.lock = threading.Lock()

    def fresh_code(self):
        with self.lock:
            while True:
                step = int(time.time()) // self.period
                if step > self.last_step:
                    self.last_step = step
                    return totp_code(self.secret, step)
                time.sleep(step * self.period + self.period - time.time() + 0.2)


def sign_in(client, principal, totp=None):
    """A new session token for a principal of the fixtures ({"email", "passwords", "kind"}).

    kind "password": the password is enough; "totp": then the code (`totp` is its TotpClock);
    "pending": the password only, leaving the sign-in waiting for its second factor.
    Tries each known password (a scan may have changed it: the password-change target).
    """
    last = None
    for password in principal["passwords"]:
        last = client.request(
            "POST",
            "/api/auth/login",
            {"email": principal["email"], "password": password, "session": "token"},
        )
        if last.status == 200:
            principal["passwords"].remove(password)
            principal["passwords"].insert(0, password)
            break
    else:
        raise RuntimeError(
            f"sign-in of {principal['email']} failed: {last.status} {last.error_code()}"
        )
    session = last.json()
    if principal["kind"] == "pending":
        if session.get("stage") != "mfa_pending":
            raise RuntimeError(f"{principal['email']}: expected a pending sign-in")
        return session["token"]
    if session.get("stage") == "mfa_pending":
        if totp is None:
            raise RuntimeError(f"{principal['email']} owes a second factor and has no TOTP secret")
        # Another client of ours may have spent this step's code: then the next step's.
        for _ in range(3):
            done = client.request(
                "POST",
                "/api/auth/login/mfa",
                {"code": totp.fresh_code(), "session": "token"},
                token=session["token"],
            )
            if done.status == 200:
                return done.json()["token"]
        raise RuntimeError(f"{principal['email']}: the TOTP code was refused ({done.status})")
    return session["token"]


def value_for(field, collection):
    """A valid value of a record field of this type (None: a reference, left out)."""
    kind = field["type"]
    return {
        "text": "Scan text",
        "long_text": "Scan note",
        "email": f"scan-{collection}@scan.example",
        "phone": "+1 555 0199",
        "integer": 7,
        "decimal": 12.5,
        "boolean": True,
        "date_time": "2026-01-01T00:00:00Z",
        "json": {"scan": "value"},
        "enum": (field.get("values") or ["x"])[0],
    }.get(kind)


def new_record_body(definition, fixtures, principal, collection, sensitive_ok=True):
    """A new record of the collection with every field set (no reference: those need ids;
    no sensitive field unless the principal may set them)."""
    doc = {}
    for f in definition["fields"]:
        if f.get("sensitive") and not sensitive_ok:
            continue
        v = value_for(f, f"{principal}-{collection}")
        if v is not None:
            doc[f["name"]] = v
    body = {"fields": doc}
    department = fixtures["records"].get(principal, {}).get(collection, {}).get("department")
    if department and definition.get("department_scoped"):
        body["department"] = department
    return body
