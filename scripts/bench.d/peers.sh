# shellcheck shell=bash
# `scripts/bench --peers [PEER ...]`: the reference workload of the peer servers in
# ../shared/bench-peers (see their README) against Rampart and against them, one server at a time,
# in one run, on loopback; ratios Rampart / peer. Sourced by scripts/bench, whose helpers it uses
# (stage, run_wrk, wait_quiet, stop_pid, free_port, tree_kib, …); nothing of the peers is copied
# here: their servers (started with the commands of their run.sh), seed, client and wrk scripts
# are run from BENCH_PEERS_DIR.
#
# The workload (each server): GET /healthz; an authenticated page of 20 records of one department
# (sales) with a session cookie; a record created with the session cookie and the CSRF token; a
# sign-in with the right password. Each: warm-up, then wrk -t2 -c64 -d15s --latency (sign-in:
# --timeout 10s; then once more with -c16, within Rampart's hashing queue). 10,000 records over five departments, the peers' own rows (seed/seed.py); the
# user holds read and write in sales only.

PEERS_DIR=$(realpath -m -- "${BENCH_PEERS_DIR:-$ROOT/../shared/bench-peers}")
PEERS_BUILD=$(realpath -m -- "${BENCH_PEERS_BUILD:-$HOME/.cache/rampart-bench-peers}")
PEERS_NSESS=8             # sessions the cookie endpoints cycle through (as the peers' run.sh)
PEERS_LOGIN_TIMEOUT=10s   # wrk's timeout for sign-ins (as the peers' run.sh)
PEERS_LOGIN_CONNS=16      # a second sign-in run with this many connections: fewer than Rampart's
                          # passwords.hashing_queue (32), so that none is turned away with 503
RAMPART_VARIANTS=()
PEER_NAMES=()

# peers_parse PEER... : checks the names before anything is built. django and express are the
# configurations of the peers' README table; the other names are their run.sh's variants.
peers_parse() {
    local p
    [ $# -gt 0 ] || set -- django express
    for p in "$@"; do
        case $p in
            django) PEER_NAMES+=(django-gthread2x4) ;;
            express) PEER_NAMES+=(express-cluster2) ;;
            django-sync2 | django-gthread2x4 | django-gthread4x4 | express-cluster2 | express-single) PEER_NAMES+=("$p") ;;
            none) ;; # Rampart alone (e.g. two builds of it compared): no peer is set up or run
            *)
                echo "bench: unknown peer '$p' (django, express, django-sync2, django-gthread2x4," \
                    "django-gthread4x4, express-cluster2, express-single, none)" >&2
                exit 2
                ;;
        esac
    done
    for p in ${BENCH_PEERS_RAMPART:-https http}; do
        case $p in
            https | http) RAMPART_VARIANTS+=("$p") ;;
            none) ;;
            *) echo "bench: BENCH_PEERS_RAMPART: 'https' and/or 'http' (or none), not '$p'" >&2; exit 2 ;;
        esac
    done
    case $PEERS_BUILD/ in
        "$ROOT"/*) echo "bench: BENCH_PEERS_BUILD must be outside the repository ($PEERS_BUILD)" >&2; exit 2 ;;
    esac
    if [ ! -f "$PEERS_DIR/run.sh" ] || [ ! -f "$PEERS_DIR/client.py" ]; then
        echo "bench: no peer servers in $PEERS_DIR (set BENCH_PEERS_DIR)" >&2
        exit 2
    fi
}

# ---------------------------------------------------------------- peers: set-up (when missing)
peers_ready() {
    [ -x "$PEERS_BUILD/django-venv/bin/gunicorn" ] &&
        "$PEERS_BUILD/django-venv/bin/python" -c 'import django, argon2' 2>/dev/null &&
        cmp -s "$PEERS_DIR/express/package-lock.json" "$PEERS_BUILD/express/package-lock.json" &&
        (cd "$PEERS_BUILD/express" && node -e '
            for (const p of Object.keys(require("./package.json").dependencies)) require(p)') 2>/dev/null
}

peers_setup() {
    stage "peers: set-up in $PEERS_BUILD (only what is missing)"
    local missing=() t
    for t in node npm sqlite3; do command -v "$t" >/dev/null || missing+=("$t"); done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "   installing the Debian packages for: ${missing[*]}"
        local sudo=()
        [ "$(id -u)" = 0 ] || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq
        "${sudo[@]}" apt-get install -y -qq "${missing[@]/node/nodejs}" >/dev/null
    fi
    if peers_ready; then
        echo "   Django venv and Express node_modules present"
    else
        echo "   BENCH_BUILD=$PEERS_BUILD bash $PEERS_DIR/run.sh setup"
        mkdir -p "$PEERS_BUILD"
        BENCH_BUILD=$PEERS_BUILD bash "$PEERS_DIR/run.sh" setup 2>&1 | sed 's/^/   | /'
        peers_ready || { echo "bench: the peers' set-up did not complete" >&2; exit 1; }
    fi
    local py=$PEERS_BUILD/django-venv/bin/python
    echo "   $("$py" -V); $("$py" -m pip list 2>/dev/null | awk 'tolower($1) ~ /^(django|gunicorn|argon2-cffi)$/ { printf "%s%s %s", sep, $1, $2; sep = "; " }')"
    echo "   node $(node -v); $(cd "$PEERS_BUILD/express" && node -p 'const fs = require("fs");
        ["express", "express-session", "helmet", "csrf-csrf", "argon2", "better-sqlite3"].map(p =>
            p + " " + JSON.parse(fs.readFileSync("node_modules/" + p + "/package.json")).version).join("; ")')"
    stage_done
}

# peer_db KIND DEST: a fresh copy of the peers' seeded database (django: its own tables; plain: the
# schema of seed/seed.py), the template made once per build directory as the peers' run.sh does.
peer_db() {
    local tmpl=$PEERS_BUILD/db/$1.template.sqlite3 py=$PEERS_BUILD/django-venv/bin/python part
    if [ ! -f "$tmpl" ]; then
        mkdir -p "$PEERS_BUILD/db"
        part=$tmpl.partial
        rm -f "$part" "$part-wal" "$part-shm"
        if [ "$1" = django ]; then
            (cd "$PEERS_DIR/django" && DB_PATH=$part "$py" manage.py migrate -v0 &&
                DB_PATH=$part "$py" manage.py seed >/dev/null)
        else
            "$py" "$PEERS_DIR/seed/seed.py" plain "$part" >/dev/null
        fi
        sqlite3 "$part" 'PRAGMA journal_mode=WAL; PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
        mv "$part" "$tmpl"
    fi
    rm -f "$2" "$2-wal" "$2-shm"
    cp "$tmpl" "$2"
}

# ---------------------------------------------------------------- process helpers
# wait_up PID LOG NAME URL [CURL ARGS]: until GET URL answers 2xx (30 s at most)
wait_up() {
    local pid=$1 log=$2 name=$3 url=$4 _
    shift 4
    for _ in $(seq 300); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "bench: $name exited during start-up; its output:" >&2
            cat "$log" >&2
            exit 1
        fi
        curl -fsS --max-time 2 "$@" "$url" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "bench: $name did not answer $url within 30 s; its output:" >&2
    cat "$log" >&2
    exit 1
}

# start_rampart VARIANT DATA_DIR PORT LOG -> RAMPART_PID. Defaults but for the loopback address,
# the data directory and log level warn (the peers log warnings only); `http` is
# tls.mode = behind-proxy (plain HTTP on loopback, as the peers serve), `setup` lifts the second
# factor for the owner who defines the collection (the measured instances keep it).
start_rampart() {
    local variant=$1 data=$2 port=$3 log=$4 extra=()
    case $variant in
        http) extra=(RAMPART_TLS__MODE=behind-proxy 'RAMPART_SERVER__TRUSTED_PROXIES=["127.0.0.1"]') ;;
        setup) extra=('RAMPART_MFA__REQUIRED_ROLES=[]') ;;
    esac
    (
        cd "$TMP" && exec env "${CLEAN_ENV[@]}" \
            RAMPART_SERVER__LISTEN="127.0.0.1:$port" \
            RAMPART_SERVER__PUBLIC_ORIGIN="https://localhost:$port" \
            RAMPART_STORAGE__DATA_DIR="$data" \
            RAMPART_LOG__LEVEL=warn \
            "${extra[@]}" "$BIN" serve
    ) >"$log" 2>&1 &
    RAMPART_PID=$!
    PIDS+=("$RAMPART_PID")
    if [ "$variant" = http ]; then
        wait_up "$RAMPART_PID" "$log" "rampart ($variant)" "http://127.0.0.1:$port/healthz"
    else
        for _ in $(seq 300); do
            [ -s "$data/tls/ca.pem" ] && break
            kill -0 "$RAMPART_PID" 2>/dev/null || break
            sleep 0.1
        done
        wait_up "$RAMPART_PID" "$log" "rampart ($variant)" "https://localhost:$port/healthz" \
            --cacert "$data/tls/ca.pem" --resolve "localhost:$port:127.0.0.1"
    fi
}

stop_started() { # PID: stop it and forget it
    local pid=$1 keep=() p
    stop_pid "$pid"
    for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# ---------------------------------------------------------------- rampart: one seeded installation
# A setup instance: the owner (`rampart user create-owner`), the demo's departments and staff
# (`rampart seed-demo`: sales@demo.rampart.test holds `staff` in sales), then through the API the
# peers' fifth department, the collection `records` (title, body: neither sensitive, as the peers
# encrypt nothing) and the peers' 10,000 rows. Every measured instance starts from a copy of it.
rampart_template() {
    stage "rampart: a seeded installation (10,000 records through the API)"
    local data=$TMP/rampart-template/data port log=$TMP/rampart-setup.log demo
    mkdir -p "$TMP/rampart-template"
    port=$(free_port)
    start_rampart setup "$data" "$port" "$log"
    local R=(env "${CLEAN_ENV[@]}" RAMPART_STORAGE__DATA_DIR="$data" "$BIN")
    BENCH_OWNER_EMAIL=owner@example.com
    BENCH_OWNER_PASSWORD="bench owner passphrase $(date +%s%N) orbit"
    printf '%s\n' "$BENCH_OWNER_PASSWORD" | "${R[@]}" user create-owner --email "$BENCH_OWNER_EMAIL" >/dev/null
    "${R[@]}" seed-demo >"$TMP/demo.txt"
    BENCH_USER_EMAIL=sales@demo.rampart.test
    demo=$(awk -v e="$BENCH_USER_EMAIL" '$1 == e { print $2 }' "$TMP/demo.txt")
    [ -n "$demo" ] || { echo "bench: seed-demo printed no password for $BENCH_USER_EMAIL" >&2; exit 1; }
    BENCH_USER_PASSWORD=$demo
    export BENCH_OWNER_EMAIL BENCH_OWNER_PASSWORD BENCH_USER_EMAIL BENCH_USER_PASSWORD
    python3 "$ROOT/scripts/bench.d/peers.py" seed "https://localhost:$port" "$data/tls/ca.pem" "$PEERS_DIR" |
        sed 's/^/   /'
    stop_started "$RAMPART_PID"
    stage_done
}

# ---------------------------------------------------------------- one server, the whole workload
# Lua for Rampart's requests (the peers' wrk/*.lua send their own paths and headers). Rampart
# wants what a browser sends with a cookie on an unsafe request: Origin (or Sec-Fetch-Site) and
# X-CSRF-Token. Same body text as the peers' records_post.lua.
rampart_lua() {
    local list=$1
    cat >"$TMP/rampart-records-get.lua" <<LUA
local reqs, idx = {}, 0
function init(args)
  for line in io.lines(os.getenv("SESSIONS_FILE")) do
    local cookie = line:match("^(.-)\t")
    reqs[#reqs + 1] = wrk.format("GET", [[$list]], { ["Cookie"] = cookie })
  end
  assert(#reqs > 0, "no sessions")
end
function request() idx = idx % #reqs + 1; return reqs[idx] end
LUA
    cat >"$TMP/rampart-records-post.lua" <<'LUA'
local reqs, idx = {}, 0
local body = '{"department":"sales","fields":{"title":"wrk insert","body":"' .. string.rep("lorem ipsum ", 17) .. '"}}'
function init(args)
  for line in io.lines(os.getenv("SESSIONS_FILE")) do
    local cookie, token = line:match("^(.-)\t(.*)$")
    local h = { ["Cookie"] = cookie, ["Content-Type"] = "application/json",
                ["X-CSRF-Token"] = token, ["Origin"] = os.getenv("BENCH_PUBLIC_ORIGIN") }
    reqs[#reqs + 1] = wrk.format("POST", "/api/collections/records/records", h, body)
  end
  assert(#reqs > 0, "no sessions")
end
function request() idx = idx % #reqs + 1; return reqs[idx] end
LUA
    local login
    login=$(python3 -c 'import json, os; print(json.dumps({"email": os.environ["BENCH_USER_EMAIL"], "password": os.environ["BENCH_USER_PASSWORD"]}))')
    cat >"$TMP/rampart-login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[$login]]
LUA
}

ROWS=
# measure SERVER PID BASE_URL IDLE_KIB GET_LUA POST_LUA LOGIN_LUA LOGIN_PATH DB COUNT_SQL
measure() {
    local server=$1 pid=$2 base=$3 idle=$4 get_lua=$5 post_lua=$6 login_lua=$7 login_path=$8 db=$9 count_sql=${10}
    local ep url n0 n1 conns=$CONNS
    for ep in healthz records_get records_post login login_c$PEERS_LOGIN_CONNS; do
        WRK_SCRIPT='' WRK_EXTRA=()
        case $ep in
            healthz) url=$base/healthz ;;
            records_get) url=$base/; WRK_SCRIPT=$get_lua ;;
            records_post) url=$base/; WRK_SCRIPT=$post_lua ;;
            login*) url=$base$login_path; WRK_SCRIPT=$login_lua WRK_EXTRA=(--timeout "$PEERS_LOGIN_TIMEOUT") ;;
        esac
        # The second sign-in run stays within Rampart's hashing queue: no 503s to count.
        case $ep in login_c*) CONNS=$PEERS_LOGIN_CONNS ;; esac
        echo "   -- $server: $ep"
        [ "$ep" = records_post ] && n0=$(sqlite3 -cmd '.timeout 10000' "$db" "$count_sql")
        run_wrk "$server.$ep" "$pid" "$url"
        if [ "$ep" = records_post ]; then
            n1=$(sqlite3 -cmd '.timeout 10000' "$db" "$count_sql")
            echo "   rows inserted during the warm-up and run(s): $((n1 - n0))"
        fi
        cp "$TMP/wrk-$server.$ep.txt" "$RAW/"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$ep" \
            "$CONNS" "$REQS" "$OK_RPS" "$P50" "$P99" "$TOTAL" "$NON2XX" "$SOCKERR" "$idle" "$PEAK_RSS" \
            "$BUSY" "$OTHER" "$SRV_CORES" "$WRK_CORES" "$ATTEMPTS" "${n1:+$((n1 - n0))}" >>"$ROWS"
        n1=
        CONNS=$conns
    done
    # shellcheck disable=SC2034 # read by run_wrk in scripts/bench
    WRK_SCRIPT='' WRK_EXTRA=()
}

idle_after_start() { # PID -> KiB, after a second of rest
    sleep 1
    tree_kib "$1" VmRSS
}

bench_rampart() { # VARIANT
    local variant=$1 server="rampart-$1" data=$TMP/rampart-$1/data port log base ca=- idle
    stage "$server: start, check, sessions, workload"
    mkdir -p "$TMP/rampart-$variant"
    cp -a "$TMP/rampart-template/data" "$data"
    port=$(free_port)
    log=$TMP/$server.log
    start_rampart "$variant" "$data" "$port" "$log"
    export BENCH_PUBLIC_ORIGIN="https://localhost:$port"
    if [ "$variant" = https ]; then base=https://localhost:$port ca=$data/tls/ca.pem; else base=http://127.0.0.1:$port; fi
    idle=$(idle_after_start "$RAMPART_PID")
    echo "   $("$BIN" --version 2>/dev/null | head -n 1), PID $RAMPART_PID on $base; idle RSS $((idle / 1024)) MiB"
    checks "$server" python3 "$ROOT/scripts/bench.d/peers.py" check "$base" "$ca"
    python3 "$ROOT/scripts/bench.d/peers.py" sessions "$base" "$ca" "$PEERS_NSESS" "$TMP/$server.sessions" >/dev/null
    export SESSIONS_FILE=$TMP/$server.sessions
    measure "$server" "$RAMPART_PID" "$base" "$idle" "$TMP/rampart-records-get.lua" \
        "$TMP/rampart-records-post.lua" "$TMP/rampart-login.lua" /api/auth/login "$data/rampart.db" \
        "select count(*) from records where collection = 'records'"
    finish "$server" "$RAMPART_PID" "$log"
}

checks() { # SERVER CMD...: the functional checks, their output kept; a failure ends the run
    local server=$1
    shift
    "$@" >"$RAW/$server.check.txt" 2>&1 || { cat "$RAW/$server.check.txt"; exit 1; }
    echo "   functional checks passed ($RAW/$server.check.txt)"
}

finish() { # SERVER PID LOG: stopped, its log kept
    stop_started "$2"
    cp "$3" "$RAW/$1.log"
    stage_done
}

bench_peer() { # NAME
    local name=$1 port db log base pid hdr kind idle cmd=()
    stage "$name: start, check, sessions, workload"
    port=$(free_port)
    db=$TMP/$name.sqlite3
    log=$TMP/$name.log
    base=http://127.0.0.1:$port
    case $name in
        django-*)
            kind=django hdr=X-CSRFToken
            cmd=(env -C "$PEERS_DIR/django" DB_PATH="$db" "$PEERS_BUILD/django-venv/bin/gunicorn"
                -b "127.0.0.1:$port")
            case $name in
                django-sync2) cmd+=(-w 2 -k sync) ;;
                django-gthread4x4) cmd+=(-w 4 -k gthread --threads 4) ;;
                django-gthread2x4) cmd+=(-w 2 -k gthread --threads 4) ;;
            esac
            cmd+=(--log-level warning benchsite.wsgi:application)
            ;;
        express-*)
            kind=plain hdr=X-CSRF-Token
            local workers=2
            [ "$name" = express-single ] && workers=1
            cmd=(env -C "$PEERS_DIR/express" DB_PATH="$db" WORKERS="$workers" PORT="$port"
                NODE_PATH="$PEERS_BUILD/express/node_modules" NODE_ENV=production node server.js)
            ;;
    esac
    peer_db "$kind" "$db"
    "${cmd[@]}" >"$log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    wait_up "$pid" "$log" "$name" "$base/healthz"
    idle=$(idle_after_start "$pid")
    echo "   $name PID $pid (processes: $(tree_pids "$pid" | paste -sd ' ')) on $base; idle RSS $((idle / 1024)) MiB"
    checks "$name" python3 "$PEERS_DIR/client.py" check "$base" "$hdr"
    python3 "$PEERS_DIR/client.py" login "$base" "$hdr" "$PEERS_NSESS" "$TMP/$name.sessions" >/dev/null
    export SESSIONS_FILE=$TMP/$name.sessions CSRF_HEADER=$hdr
    measure "$name" "$pid" "$base" "$idle" "$PEERS_DIR/wrk/records_get.lua" \
        "$PEERS_DIR/wrk/records_post.lua" "$PEERS_DIR/wrk/login.lua" /login "$db" \
        "select count(*) from records"
    finish "$name" "$pid" "$log"
}

# What Rampart does that the peers do not: printed beside the figures. Rampart runs with its
# defaults (only the address, the data directory and the log level are set; rampart-http also
# tls.mode = behind-proxy): nothing is turned off for the benchmark.
peers_notes() {
    cat <<'NOTES'
   What Rampart does per request that the peers do not (its defaults; nothing is weakened here):
   - rampart-https terminates TLS itself (its default, rustls); the peers and rampart-http speak
     plain HTTP on loopback (a proxy's TLS is not measured for them).
   - sign-in: Argon2id m=19456 KiB, t=2, p=1 in every server (Rampart's current parameters, as in
     SECURITY.md; the peers' seed hashes with the same), Rampart with a pepper (one HMAC) too. Rampart
     hashes on passwords.hashing_threads (default: cores - 1, so one core here: a login flood leaves
     the other to the API) and answers 503 + Retry-After at once beyond passwords.hashing_queue (32)
     waiting: wrk counts those as non-2xx and resends at once (ok/s counts the 200s); the peers hash
     on both cores and queue. Each sign-in also reads the per-address and per-IP throttles, writes
     two hash-chained audit events (each run through the detection rules) and the known-device row.
   - records: every request loads the session (SHA-256 of the token), the user's grants (roles x
     departments) and the lockdown state; the list parses the filter and checks it against the
     collection; a create validates the fields against the schema and writes a hash-chained audit
     event (detection rules run on it). No field is sensitive in this workload (the peers encrypt
     nothing), so nothing is encrypted: a sensitive field adds one XChaCha20-Poly1305 seal per
     record (see the criterion stage of scripts/bench).
   - every answer carries HSTS, CSP, COOP, nosniff, Referrer-Policy, Cache-Control: no-store and a
     request id (helmet and Django's SecurityMiddleware set comparable headers).
   - order of a page: Rampart's newest created_at first (set when seeded), the peers' highest id.
NOTES
}

peers_main() {
    local stamp p
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    RAW=$OUT/peers-$stamp
    mkdir -p "$RAW"
    ROWS=$TMP/peers-rows.tsv
    : >"$ROWS"
    [ ${#PEER_NAMES[@]} = 0 ] || peers_setup
    if [ ${#RAMPART_VARIANTS[@]} -gt 0 ]; then
        rampart_template
        rampart_lua '/api/collections/records/records?filter=department%20%3D%20%22sales%22&limit=20'
    fi
    for p in "${RAMPART_VARIANTS[@]}"; do bench_rampart "$p"; done
    for p in "${PEER_NAMES[@]}"; do bench_peer "$p"; done

    local rev
    rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no -- crates Cargo.toml Cargo.lock 2>/dev/null)" ]; then
        rev="$rev+dirty"
    fi
    local tsv=$OUT/peers-$stamp.tsv
    BENCH_REV=$rev BENCH_CONNECTIONS=$CONNS BENCH_WRK="-t$THREADS -c{} -d${SECONDS_MEASURED}s --latency (warm-up ${WARMUP}s)" \
        python3 "$ROOT/scripts/bench.d/peers.py" report "$ROWS" "$tsv" "$OUT/peers-history.tsv" "$MAX_OTHER"
    [ ${#RAMPART_VARIANTS[@]} = 0 ] || peers_notes
    echo "   written: $tsv (appended to $OUT/peers-history.tsv); wrk outputs, checks, logs: $RAW/"
    echo "   total: $(elapsed_since "$T0") s"
}
