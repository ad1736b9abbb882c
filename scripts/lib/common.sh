# shellcheck shell=bash
# Helpers shared by the scripts that start `rampart serve` and judge it from the outside
# (scripts/tls-check, scripts/security-scan): stage timing, stopping what the script started,
# free loopback ports, the environment a server is started with. Sourced, not run.
#
# The sourcing script sets SCRIPT_NAME (for messages) and keeps the PIDs it starts in PIDS.

# Nanoseconds at the start of the script, of the current stage.
T0=${T0:-$(date +%s%N)}
stage_start=0
stage() { stage_start=$(date +%s%N); echo; echo "== $*"; }
stage_done() { echo "   ($(elapsed_since "$stage_start") s)"; }
# Seconds (one decimal) since a `date +%s%N` value.
elapsed_since() { local ms=$((($(date +%s%N) - $1) / 1000000)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

# stop_pid PID: SIGTERM, wait up to 15 s, then SIGKILL. Only for PIDs this script started.
stop_pid() {
    local pid=$1 _
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "${SCRIPT_NAME:-script}: PID $pid did not stop after SIGTERM in 15 s; SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Rampart refuses RAMPART_* variables it does not know: a server is started with `env
# "${CLEAN_ENV[@]}" RAMPART_…=… rampart serve`, i.e. with only the variables the script sets.
CLEAN_ENV=()
for _name in $(compgen -e); do
    case $_name in RAMPART_*) CLEAN_ENV+=(-u "$_name") ;; esac
done
unset _name

# wait_https_ready PID URL CA SECONDS: until URL answers 2xx (certificate verified against CA,
# localhost resolved to 127.0.0.1), or the process is gone, or SECONDS pass. Returns 0 when ready.
wait_https_ready() {
    local pid=$1 url=$2 ca=$3 seconds=$4 _ port
    port=$(sed -E 's#^https://[^:/]+:([0-9]+).*#\1#' <<<"$url")
    for _ in $(seq $((seconds * 10))); do
        kill -0 "$pid" 2>/dev/null || return 1
        if curl -fsS --max-time 2 --cacert "$ca" --resolve "localhost:$port:127.0.0.1" "$url" \
            >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}
