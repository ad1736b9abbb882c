#!/usr/bin/env python3
"""Prints a session token for one principal of the scan's fixtures (its current one while it
still works, else a new sign-in: password, and a fresh TOTP code for one with an app).

Usage: session.py BASE_URL CA_FILE FIXTURES_JSON PRINCIPAL
"""

import sys
import json

from scanlib import Client, TotpClock, Upstream, sign_in


def main():
    base, ca, fixtures_file, name = sys.argv[1:5]
    principal = json.load(open(fixtures_file))["principals"][name]
    client = Client(Upstream(base, ca))
    token = principal.get("token")
    if token and client.request("GET", "/api/me", token=token).status == 200:
        print(token)
        return
    secret = principal.get("totp_secret")
    clock = TotpClock(secret, last_step=principal.get("totp_last_step", 0)) if secret else None
    print(sign_in(client, principal, clock))


if __name__ == "__main__":
    main()
