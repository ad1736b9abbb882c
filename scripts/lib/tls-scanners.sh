# shellcheck shell=bash disable=SC2034 # the verdict variables are read by the sourcing script
# The TLS judges shared by scripts/tls-check and scripts/security-scan: a throwaway test PKI,
# openssl s_client (TLS 1.0/1.1 refused, 1.2/1.3 accepted), sslyze (Mozilla profile) and
# testssl.sh. Sourced after scripts/lib/common.sh; each check writes its reports into the
# directory it is given and sets a verdict variable that starts with PASS or FAIL:
#   OSSL_VERDICT, SSLYZE_VERDICT (+ SSLYZE_TIME), TESTSSL_VERDICT (+ TESTSSL_TIME).
# Env: SSLYZE, TESTSSL (paths to the tools), MOZ (intermediate or modern; default intermediate),
# VERIFY_TOOLS_DIR (see scripts/install-tools).

TLS_TOOLS_DIR=${VERIFY_TOOLS_DIR:-$HOME/.cache/rampart-tools}
MOZ=${MOZ:-intermediate}
# Findings that come from using a throwaway CA on loopback, not from Rampart's TLS configuration:
# the test CA publishes no revocation (CRL, OCSP, stapling), has no DNS CAA record, and
# `engine_problem` is testssl saying its own openssl lacks an engine.
TLS_IGNORE='engine_problem cert_revocation DNS_CAArecord cert_crlDistributionPoints cert_ocspURL OCSP_stapling'

# tls_tools ROOT: sslyze and testssl, installed by scripts/install-tools when missing.
tls_tools() {
    local root=$1 missing=()
    SSLYZE=${SSLYZE:-$TLS_TOOLS_DIR/venv/bin/sslyze}
    TESTSSL=${TESTSSL:-/usr/bin/testssl}
    [ -x "$SSLYZE" ] || missing+=(sslyze)
    [ -x "$TESTSSL" ] || missing+=(testssl)
    if [ ${#missing[@]} -gt 0 ]; then
        "$root/scripts/install-tools" "${missing[@]}"
    fi
    [ -x "$SSLYZE" ] || { echo "${SCRIPT_NAME:-tls}: sslyze not found at $SSLYZE" >&2; return 1; }
    [ -x "$TESTSSL" ] || { echo "${SCRIPT_NAME:-tls}: testssl not found at $TESTSSL" >&2; return 1; }
    local version
    version=$("$(dirname "$SSLYZE")/python" -m pip show sslyze 2>/dev/null | sed -n 's/^Version: //p' || true)
    echo "   sslyze ${version:-(version unknown)}: $SSLYZE"
    echo "   testssl $("$TESTSSL" --version 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -m1 -oE 'testssl +[0-9][^ ]*' | tr -s ' ' | cut -d' ' -f2 || true): $TESTSSL"
    echo "   openssl: $(openssl version)"
}

# tls_make_pki DIR NAME: a CA (ca.pem) and a leaf for localhost/127.0.0.1 (leaf.pem, leaf.key;
# EC P-256, CA:FALSE, serverAuth) signed by it.
tls_make_pki() {
    local dir=$1 name=$2
    mkdir -p "$dir"
    (
        cd "$dir" || exit 1
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
            -days 3650 -subj "/CN=Rampart $name test CA" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
            -subj "/CN=localhost" 2>/dev/null
        printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
            "extendedKeyUsage=serverAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" >leaf.ext
        openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 365 \
            -sha256 -extfile leaf.ext 2>/dev/null
        openssl verify -CAfile ca.pem -purpose sslserver leaf.pem >/dev/null
    )
    echo "   CA $dir/ca.pem, leaf $dir/leaf.pem (EC P-256, CA:FALSE, serverAuth, DNS:localhost, IP:127.0.0.1)"
}

# tls_check_openssl PORT CA REPORTS: TLS 1.0 and 1.1 refused, TLS 1.2 and 1.3 accepted.
tls_check_openssl() {
    local port=$1 ca=$2 reports=$3 proto rc f written reason alert bad=()
    # OpenSSL 3 will not even offer TLS < 1.2 at its default security level, which would make a
    # refusal meaningless: @SECLEVEL=0 lets the client really send a TLS 1.0/1.1 ClientHello, and
    # the check demands that it was sent (bytes written) and that the handshake then failed.
    _s_client() { # NAME ARGS... -> output in $reports/openssl-NAME.txt, returns s_client's status
        local name=$1
        shift
        timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$ca" \
            "$@" </dev/null >"$reports/openssl-$name.txt" 2>&1
    }
    for proto in tls1 tls1_1; do
        if _s_client "$proto" "-$proto" -cipher 'DEFAULT:@SECLEVEL=0'; then rc=0; else rc=$?; fi
        f=$reports/openssl-$proto.txt
        written=$(grep -oE 'written [0-9]+ bytes' "$f" | grep -oE '[0-9]+' | head -1 || true)
        reason=$(grep -m1 -oE 'error:[0-9A-F]+:SSL routines:[^:]*:[^:]*' "$f" | sed 's/.*SSL routines:[^:]*://' || true)
        alert=$(grep -m1 -oE 'SSL alert number [0-9]+' "$f" || true)
        if grep -q 'no protocols available' "$f"; then
            echo "   -$proto: INCONCLUSIVE: this openssl could not offer the protocol"
            bad+=("-$proto inconclusive")
        # On a failed handshake s_client still prints the attempted protocol, but "New, (NONE)".
        elif [ "$rc" -eq 0 ] || grep -qE '^New, [^(]' "$f"; then
            echo "   -$proto: ACCEPTED by the server (must be refused)"
            bad+=("-$proto accepted")
        elif [ "${written:-0}" -le 0 ]; then
            echo "   -$proto: INCONCLUSIVE: no ClientHello was sent (rc=$rc)"
            bad+=("-$proto inconclusive")
        else
            echo "   -$proto: refused (rc=$rc, ClientHello of $written bytes sent; ${reason:-connection closed}${alert:+, $alert})"
        fi
    done
    for proto in tls1_2 tls1_3; do
        f=$reports/openssl-$proto.txt
        if _s_client "$proto" "-$proto" -verify_return_error -verify_hostname localhost && grep -qE '^New, TLSv1\.[23], Cipher is [A-Z]' "$f" \
            && grep -q 'Verify return code: 0 (ok)' "$f"; then
            echo "   -$proto: accepted, $(grep -m1 -E '^New, ' "$f" | sed 's/^New, //'), certificate verified"
        else
            echo "   -$proto: FAILED (must be accepted): $(grep -m1 -E 'error|Verify return' "$f" || true)"
            bad+=("-$proto not accepted")
        fi
    done
    if [ ${#bad[@]} -eq 0 ]; then
        OSSL_VERDICT="PASS (TLS 1.0 and 1.1 refused; TLS 1.2 and 1.3 accepted)"
    else
        OSSL_VERDICT="FAIL (${bad[*]})"
    fi
}

# tls_check_sslyze HOST:PORT CA REPORTS: Mozilla's profile ($MOZ), "OK - Compliant".
tls_check_sslyze() {
    local target=$1 ca=$2 reports=$3 src s_start
    s_start=$(date +%s%N)
    # HOST:PORT{IP}: SNI and certificate name localhost, connection to 127.0.0.1 only.
    if timeout 300 "$SSLYZE" --json_out="$reports/sslyze.json" --mozilla_config="$MOZ" \
        --certinfo_ca_file="$ca" "$target{127.0.0.1}" >"$reports/sslyze.txt" 2>&1; then src=0; else src=$?; fi
    echo "   rc=$src"
    sed -n '/COMPLIANCE AGAINST/,$p' "$reports/sslyze.txt" | grep -E 'FAILED|OK - Compliant|\* ' | cut -c1-220 | sed 's/^/   /' || true
    if [ "$src" -eq 0 ] && grep -q 'OK - Compliant' "$reports/sslyze.txt"; then
        SSLYZE_VERDICT="PASS (Mozilla $MOZ: OK - Compliant)"
    else
        if [ "$src" -eq 124 ]; then echo "   sslyze timed out after 300 s"; fi
        if ! grep -q 'COMPLIANCE AGAINST' "$reports/sslyze.txt"; then tail -n 30 "$reports/sslyze.txt" | sed 's/^/   | /'; fi
        SSLYZE_VERDICT="FAIL (rc=$src, not reported compliant with Mozilla $MOZ)"
    fi
    SSLYZE_TIME=$(elapsed_since "$s_start")
}

# tls_check_testssl HOST:PORT CA REPORTS QUICK: no protocol below TLS 1.2, no finding of
# severity MEDIUM or worse outside TLS_IGNORE. QUICK=1 skips the certificate and HTTP header
# sections (-S -h).
tls_check_testssl() {
    local target=$1 ca=$2 reports=$3 quick=$4 trc t_start ok checks
    if [ "$quick" -eq 1 ]; then checks=(-p -s -f -P -U); else checks=(-p -s -f -P -S -h -U); fi
    echo "   testssl ${checks[*]}"
    t_start=$(date +%s%N)
    rm -f "$reports/testssl.json"
    # --ip 127.0.0.1 rather than --ip one: never a lookup that could lead off loopback.
    if timeout 900 "$TESTSSL" --quiet --color 0 --warnings batch --ip 127.0.0.1 --add-ca "$ca" \
        "${checks[@]}" --jsonfile "$reports/testssl.json" "https://$target" \
        >"$reports/testssl.txt" 2>&1; then trc=0; else trc=$?; fi
    echo "   rc=$trc (findings >= MEDIUM, ignoring: $TLS_IGNORE)"
    [ "$trc" -ne 124 ] || echo "   testssl timed out after 900 s"
    if python3 - "$reports/testssl.json" "$TLS_IGNORE" <<'PY'; then ok=1; else ok=0; fi
import json, sys
ign = set(sys.argv[2].split())
try:
    findings = json.load(open(sys.argv[1]))
except (OSError, ValueError) as error:
    print("   no usable testssl JSON report:", error)
    sys.exit(1)
bad = []
seen = {f.get("id") for f in findings}
for f in findings:
    sev, fid, fin = f.get("severity"), f.get("id"), f.get("finding", "")
    if fid in ("SSLv2", "SSLv3", "TLS1", "TLS1_1") and "not offered" not in fin:
        bad.append((fid, "PROTOCOL", fin))
    elif sev in ("MEDIUM", "HIGH", "CRITICAL") and fid not in ign:
        bad.append((fid, sev, fin))
    elif sev == "FATAL":
        bad.append((fid, sev, fin))
# A scan that stopped early must not pass: the protocol and vulnerability sections must be there.
for fid in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3", "cipher_order",
            "heartbleed", "CCS", "ROBOT", "secure_renego", "fallback_SCSV", "LUCKY13", "RC4"):
    if fid not in seen:
        bad.append((fid, "MISSING", "not in the report: the scan did not complete"))
for b in bad:
    print("   %-28s %-8s %s" % (b[0], b[1], b[2][:100]))
# Shown, not counted: tests testssl could not complete, and the ignored findings.
for f in findings:
    sev, fid, fin = f.get("severity"), f.get("id"), f.get("finding", "")
    if sev == "WARN" and fid != "engine_problem":
        print("   %-28s %-8s %s  (not counted: testssl could not complete this test)" % (fid, sev, fin[:80]))
    elif sev in ("MEDIUM", "HIGH", "CRITICAL") and fid in ign:
        print("   %-28s %-8s %s  (ignored: inherent to a throwaway CA)" % (fid, sev, fin[:80]))
offered = [f.get("id") + ": " + f.get("finding", "") for f in findings
           if f.get("id") in ("TLS1_2", "TLS1_3")]
print("   " + "; ".join(offered))
print("   %d findings in the report, %d counted against the server" % (len(findings), len(bad)))
sys.exit(1 if bad else 0)
PY
    if [ "$ok" -eq 1 ]; then
        TESTSSL_VERDICT="PASS (no protocol below TLS 1.2, nothing >= MEDIUM outside the ignore list)"
    else
        TESTSSL_VERDICT="FAIL (see the findings above)"
    fi
    TESTSSL_TIME=$(elapsed_since "$t_start")
}
