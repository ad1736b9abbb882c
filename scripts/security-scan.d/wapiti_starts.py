#!/usr/bin/env python3
"""The URLs an authenticated wapiti crawl starts from: the JSON endpoints a principal may read
that take query parameters, with example values (wapiti injects into each parameter).

Usage: wapiti_starts.py BASE_URL FIXTURES_JSON PRINCIPAL
"""

import json
import sys
import urllib.parse


def main():
    base, fixtures_file, name = sys.argv[1:4]
    fixtures = json.load(open(fixtures_file))
    q = urllib.parse.urlencode
    # Not /api/me: its DELETE deletes the account (the crawl is excluded from it).
    starts = ["/api/collections", "/api/me/sessions", "/api/me/api-keys"]
    if name == "owner":
        audit = fixtures["examples"]["GET /api/audit"]["query"]
        starts += [
            "/api/audit?" + q(audit),
            "/api/alerts?" + q({"status": "open", "limit": "10"}),
            "/api/incidents?" + q({"status": "open", "limit": "10"}),
            "/api/departments",
            "/api/roles",
            "/api/collections/employees/records?" + q({"filter": 'name = "Alan"', "sort": "-created_at"}),
        ]
    else:
        record = fixtures["records"]["sales"]["leads"]["read"]
        starts += [
            "/api/collections/leads",
            "/api/collections/leads/records?" + q({"filter": 'name = "Ada" && status = "new"',
                                                   "sort": "-created_at", "limit": "5"}),
            f"/api/collections/leads/records/{record}",
        ]
    for s in starts:
        print(base + s)


if __name__ == "__main__":
    main()
