#!/usr/bin/env python3
"""Judges one wapiti JSON report: every vulnerability and anomaly is a finding, unless an entry
of the ignore list (given by scripts/security-scan, each with its reason there) matches it.

Usage: wapiti_judge.py REPORT_JSON [CATEGORY|PATH_REGEX|INFO_REGEX ...]
Prints the findings, the ignored ones, and `WAPITI VERDICT: CLEAN|FINDINGS (n) - …` last;
exits 0 when clean, 1 with findings, 2 without a usable report.
"""

import json
import re
import sys


def main():
    try:
        report = json.load(open(sys.argv[1]))
    except (OSError, ValueError) as error:
        print(f"WAPITI VERDICT: NO REPORT ({error})")
        sys.exit(2)
    ignore = []
    for entry in sys.argv[2:]:
        category, path, info = entry.split("|", 2)
        ignore.append((category, re.compile(path), re.compile(info)))
    findings, ignored = [], []
    for kind in ("vulnerabilities", "anomalies"):
        for category, items in (report.get(kind) or {}).items():
            for item in items:
                line = "%-5s %-34s %-6s %-34s %-12s %s" % (
                    kind[:5].upper(), category[:34], item.get("method"), item.get("path", "")[:34],
                    str(item.get("parameter"))[:12], item.get("info", "").replace("\n", " ")[:110])
                if any(c == category and p.match(item.get("path", "")) and i.match(item.get("info", ""))
                       for c, p, i in ignore):
                    ignored.append(line)
                else:
                    findings.append(line)
    for line in findings:
        print(line)
    for line in ignored:
        print(line + "  (ignored: see WAPITI_IGNORE in scripts/security-scan)")
    infos = report.get("infos", {})
    pages = infos.get("crawled_pages_nbr", "?")
    words = f"FINDINGS ({len(findings)})" if findings else "CLEAN"
    print(f"WAPITI VERDICT: {words} - {pages} pages crawled, {len(ignored)} ignored")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
