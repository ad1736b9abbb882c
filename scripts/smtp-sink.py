#!/usr/bin/env python3
"""An SMTP server for tests (aiosmtpd, from PyPI): listens on loopback only and stores every
message it accepts in a Maildir, as a real relay would hand it on.

  smtp-sink.py MAILDIR [--port 2525] [--tls CERT KEY] [--implicit-tls] [--user U --password P]

  --tls CERT KEY     offer STARTTLS on the port and require it before AUTH and MAIL
  --implicit-tls     with --tls: TLS from the first byte (SMTPS, like port 465) instead
  --user/--password  require AUTH PLAIN/LOGIN with these credentials (after TLS when --tls)

Each message is a file in MAILDIR/new/ with X-MailFrom, X-RcptTo and X-Peer headers added.
Runs until SIGINT or SIGTERM. Install aiosmtpd with `scripts/install-tools aiosmtpd`; the mail
tests (crates/http/tests/api/smtp_sink.rs) run it with that venv's python.
"""
import argparse
import logging
import os
import signal
import ssl

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword

logging.basicConfig(level=logging.WARNING)

parser = argparse.ArgumentParser()
parser.add_argument("maildir")
parser.add_argument("--port", type=int, default=2525)
parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--implicit-tls", action="store_true")
parser.add_argument("--user")
parser.add_argument("--password")
args = parser.parse_args()

# Mailbox makes a Maildir only where nothing exists yet: make its folders in an existing one too.
for folder in ("tmp", "new", "cur"):
    os.makedirs(os.path.join(args.maildir, folder), exist_ok=True)

options = {}
if args.tls:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*args.tls)
    if args.implicit_tls:
        options["ssl_context"] = context
    else:
        options["tls_context"] = context
        options["require_starttls"] = True
if args.user:
    def authenticate(server, session, envelope, mechanism, data):
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == args.user
            and data.password.decode() == args.password
        )
        # handled=False: aiosmtpd answers 535 itself; handled=True would leave the client hanging.
        return AuthResult(success=ok, handled=False)

    options["authenticator"] = authenticate
    options["auth_required"] = True
    options["auth_require_tls"] = bool(args.tls)

controller = Controller(Mailbox(args.maildir), hostname="127.0.0.1", port=args.port, **options)
controller.start()
mode = "implicit" if args.implicit_tls else "starttls" if args.tls else "none"
print(f"smtp sink on 127.0.0.1:{args.port} -> {args.maildir} (tls={mode}, auth={bool(args.user)})", flush=True)
try:
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
finally:
    controller.stop()
