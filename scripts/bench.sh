#!/usr/bin/env bash
# Measures sctui's performance goals on this machine and prints a Markdown table:
#   start to first drawn frame (--demo, release), idle CPU over 10 s, RSS at 100,000 sessions,
#   `sessions list --all --output json` vs a curl loop following @odata.nextLink, and how fast the
#   fake generates 100,000 sessions.
#
# A third table measures the local store: start to the first frame showing 10,000
# stored sessions while Graph answers only after 2 s, `sync --conversations` of 1,000 sessions at
# `latency=100ms` 4 at a time against one at a time (requests counted), and the RSS of the TUI
# with 100,000 known sessions.
#
# A second table measures round trips against a far Graph: the fake with
# `--faults latency=300ms`, timing `sessions list --all` over 3,000 sessions, opening a 60-prompt
# conversation, moving to the next session after a 1 s pause, and start to first frame.
#
# Usage: scripts/bench.sh            (builds the release binary first)
#        SKIP_BUILD=1 RUNS=10 scripts/bench.sh
#        ONLY=latency SKIP_BUILD=1 scripts/bench.sh     (the latency table alone)
#        ONLY=store SKIP_BUILD=1 scripts/bench.sh       (the local store's table alone)
# Needs tmux, curl, jq (installed with apt-get when missing) and uses hyperfine when available.
# Everything talks to the built-in fake on 127.0.0.1; nothing leaves the machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-20}"
BIN="${BIN:-$PWD/target/release/sctui}"
BIG=100000
LIST_N=10000
PAGE=100
COLS=120
ROWS=40

log() { printf '%s\n' "$*" >&2; }

need=()
for tool in tmux curl jq hyperfine; do
    command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if [ "${#need[@]}" -gt 0 ]; then
    log "installing ${need[*]}"
    SUDO=""
    if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
    $SUDO apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2 || true
fi
for tool in tmux curl jq; do
    command -v "$tool" >/dev/null 2>&1 || { log "missing $tool"; exit 1; }
done

if [ -z "${SKIP_BUILD:-}" ]; then
    log "building the release binary"
    cargo build --release --locked >&2
fi
[ -x "$BIN" ] || { log "no $BIN: build it with cargo build --release"; exit 1; }

WORK="$(mktemp -d)"
SOCK="sctui-bench-$$"
FAKE_PIDS=()
cleanup() {
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    for pid in "${FAKE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# sctui runs with its own empty home: no user config, token cache or log files are touched.
mkdir -p "$WORK/home"
SCTUI_ENV=(env -u SCTUI_CONFIG -u SCTUI_GRAPH_URL -u SCTUI_WORKSPACE -u SCTUI_ACCESS_TOKEN
    HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" XDG_STATE_HOME="$WORK/home/.state"
    XDG_CACHE_HOME="$WORK/home/.cache" XDG_DATA_HOME="$WORK/home/.data" TERM=xterm-256color)
TMUX_CMD=(tmux -L "$SOCK" -f /dev/null)
EXTRA_ENV=()

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2}}'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN {print (v + 0 <= g + 0) ? "met" : "MISSED"}'; }

# Starts `sctui ARGS…` in a fresh 120×40 tmux session and prints its pid.
start_tui() {
    local name="$1"
    shift
    printf '%q ' "${SCTUI_ENV[@]}" "${EXTRA_ENV[@]}" "$BIN" "$@" >"$WORK/$name.cmd"
    "${TMUX_CMD[@]}" new-session -d -s "$name" -x "$COLS" -y "$ROWS" "exec $(cat "$WORK/$name.cmd")"
    "${TMUX_CMD[@]}" display -p -t "$name" '#{pane_pid}'
}

# Waits (up to $2 s) until the pane of session $1 matches the regex $3.
wait_screen() {
    local name="$1" secs="$2" pattern="$3" i
    for ((i = 0; i < secs * 20; i++)); do
        if "${TMUX_CMD[@]}" capture-pane -p -t "$name" 2>/dev/null | grep -Eq -- "$pattern"; then
            return 0
        fi
        sleep 0.05
    done
    log "timed out waiting for /$pattern/ in $name:"
    "${TMUX_CMD[@]}" capture-pane -p -t "$name" >&2 || true
    return 1
}

# CPU time of a process, all threads, in nanoseconds (from schedstat, nanosecond resolution).
cpu_ns() {
    local total=0 run
    for f in /proc/"$1"/task/*/schedstat; do
        read -r run _ <"$f" || continue
        total=$((total + run))
    done
    echo "$total"
}
# utime+stime in clock ticks, the classic view.
cpu_ticks() { awk '{print $14 + $15}' /proc/"$1"/stat; }
rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' /proc/"$1"/status; }

# Starts `sctui fake-graph ARGS…` in the background; sets FAKE_URL and FAKE_MS (time to serve).
start_fake() {
    local out="$WORK/fake.$RANDOM" t0 i
    t0=$(date +%s%N)
    "${SCTUI_ENV[@]}" "$BIN" fake-graph "$@" >"$out" 2>/dev/null &
    FAKE_PIDS+=($!)
    FAKE_PID=$!
    for ((i = 0; i < 6000; i++)); do
        [ -s "$out" ] && break
        sleep 0.002
    done
    FAKE_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
    FAKE_URL=$(head -n1 "$out")
    [ -n "$FAKE_URL" ] || { log "fake-graph did not start"; exit 1; }
}
stop_fake() { kill "$FAKE_PID" 2>/dev/null || true; wait "$FAKE_PID" 2>/dev/null || true; }

LIST_SHOWN='[0-9]+\+? sessions|[0-9]+/[0-9]+ sessions'

# Runs $WORK/$1.sh in a 120×40 tmux pane and waits (up to $2 tenths of a second) for it to touch
# $WORK/$1.done.
run_script_in_tmux() {
    local name="$1" tenths="$2" i
    "${TMUX_CMD[@]}" new-session -d -s "$name" -x "$COLS" -y "$ROWS" "bash $WORK/$name.sh"
    for ((i = 0; i < tenths; i++)); do
        [ -e "$WORK/$name.done" ] && break
        sleep 0.1
    done
}

# Median milliseconds from process start to exit right after the first frame
# (SCTUI_EXIT_AFTER_FIRST_FRAME=$1: `1` any frame, `list` the first showing the list), $RUNS runs
# in a 120×40 tmux pane; the other arguments are sctui's.
first_frame() {
    local mode="$1" name="ff$1$RANDOM"
    shift
    cat >"$WORK/$name.sh" <<EOF
for i in \$(seq $RUNS); do
    s=\$(date +%s%N)
    SCTUI_EXIT_AFTER_FIRST_FRAME=$mode $(printf '%q ' "${SCTUI_ENV[@]}" "${EXTRA_ENV[@]}" "$BIN" "$@")
    e=\$(date +%s%N)
    echo \$(( (e - s) / 1000 )) >>"$WORK/$name.times"
done
touch "$WORK/$name.done"
EOF
    run_script_in_tmux "$name" 1200
    awk '{print $1 / 1000}' "$WORK/$name.times" | median
}

# Like first_frame, for two exit modes $1 and $2 run in turns (so a busy machine weighs on both
# alike); prints both medians.
first_frames_in_turns() {
    local a="$1" b="$2" name="ffturns$RANDOM"
    shift 2
    cat >"$WORK/$name.sh" <<EOF
for i in \$(seq $RUNS); do
    for mode in $a $b; do
        s=\$(date +%s%N)
        SCTUI_EXIT_AFTER_FIRST_FRAME=\$mode $(printf '%q ' "${SCTUI_ENV[@]}" "${EXTRA_ENV[@]}" "$BIN" "$@")
        e=\$(date +%s%N)
        echo \$(( (e - s) / 1000 )) >>"$WORK/$name.\$mode.times"
    done
done
touch "$WORK/$name.done"
EOF
    run_script_in_tmux "$name" 2400
    echo "$(awk '{print $1 / 1000}' "$WORK/$name.$a.times" | median)" \
        "$(awk '{print $1 / 1000}' "$WORK/$name.$b.times" | median)"
}

if [ -z "${ONLY:-}" ]; then
# ---- 1. start to first drawn frame -------------------------------------------------------------
log "start to first frame ($RUNS runs each)"
FF_ANY=$(first_frame 1 --demo)
FF_LIST=$(first_frame list --demo)

# ---- 2. idle CPU -------------------------------------------------------------------------------
log "idle CPU over 10 s"
pid=$(start_tui idle --demo)
wait_screen idle 20 "$LIST_SHOWN"
sleep 5 # the first conversation loads and any demo answer finishes
c0=$(cpu_ns "$pid"); t0=$(cpu_ticks "$pid")
sleep 10
c1=$(cpu_ns "$pid"); t1=$(cpu_ticks "$pid")
IDLE_S=$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')
IDLE_TICKS=$((t1 - t0))
"${TMUX_CMD[@]}" kill-session -t idle

# ---- 3. memory ---------------------------------------------------------------------------------
# Presses G (End) until the header says every session is loaded; prints the seconds it took.
load_all() {
    local name="$1" total="$2" t0 i
    t0=$(date +%s%N)
    for ((i = 0; i < 3000; i++)); do
        if "${TMUX_CMD[@]}" capture-pane -p -t "$name" | grep -Eq "(^| )$total/$total sessions|(^| )$total sessions"; then
            awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}'
            return 0
        fi
        "${TMUX_CMD[@]}" send-keys -t "$name" G
        sleep 0.1
    done
    echo "timeout"
}
log "RSS with --demo (fake in the same process)"
pid=$(start_tui rss100 --demo --demo-sessions 100)
wait_screen rss100 30 "$LIST_SHOWN"; sleep 1
RSS_DEMO_100=$(rss_mb "$pid")
"${TMUX_CMD[@]}" kill-session -t rss100
pid=$(start_tui rssbig --demo --demo-sessions "$BIG")
wait_screen rssbig 30 "$LIST_SHOWN"; sleep 1
RSS_DEMO_BIG_FIRST=$(rss_mb "$pid")
LOAD_ALL_DEMO=$(load_all rssbig "$BIG")
sleep 1
RSS_DEMO_BIG_ALL=$(rss_mb "$pid")
"${TMUX_CMD[@]}" kill-session -t rssbig

log "RSS of the app alone (fake-graph in another process)"
start_fake --sessions "$BIG"
# the token goes through the environment, as a user would give it
EXTRA_ENV=(SCTUI_ACCESS_TOKEN=bench-token)
pid=$(start_tui rssapp --graph-url "$FAKE_URL")
EXTRA_ENV=()
wait_screen rssapp 30 "$LIST_SHOWN"; sleep 1
RSS_APP_FIRST=$(rss_mb "$pid")
LOAD_ALL_APP=$(load_all rssapp "$BIG")
sleep 1
RSS_APP_ALL=$(rss_mb "$pid")
RSS_FAKE_BIG=$(rss_mb "$FAKE_PID")
"${TMUX_CMD[@]}" kill-session -t rssapp
stop_fake

# ---- 4. the fake's generator -------------------------------------------------------------------
log "fake-graph start-up with $BIG generated sessions"
gen=()
for _ in 1 2 3 4 5; do
    start_fake --sessions "$BIG"
    gen+=("$FAKE_MS")
    stop_fake
done
GEN_BIG_MS=$(printf '%s\n' "${gen[@]}" | median)
gen=()
for _ in 1 2 3 4 5; do
    start_fake --sessions 100
    gen+=("$FAKE_MS")
    stop_fake
done
GEN_SMALL_MS=$(printf '%s\n' "${gen[@]}" | median)

# ---- 5. sessions list --all vs curl ------------------------------------------------------------
log "sessions list --all over $LIST_N sessions vs a curl loop"
start_fake --sessions "$LIST_N"
SELECT='id,displayName,createdDateTime,lastModifiedDateTime'
cat >"$WORK/curl_loop.sh" <<EOF
#!/usr/bin/env bash
# Follows @odata.nextLink from the first page to the last, like any Graph client would.
url="$FAKE_URL/security/securityCopilot/workspaces/default/sessions?\\\$top=$PAGE&\\\$select=$SELECT"
n=0
while [ -n "\$url" ]; do
    body=\$(curl -sS --compressed -H 'Authorization: Bearer bench-token' "\$url")
    printf '%s\n' "\$body"
    url=\$(jq -r '."@odata.nextLink" // empty' <<<"\$body")
    n=\$((n + 1))
done
EOF
cat >"$WORK/sctui_list.sh" <<EOF
#!/usr/bin/env bash
exec $(printf '%q ' "${SCTUI_ENV[@]}" SCTUI_ACCESS_TOKEN=bench-token "$BIN") sessions list --all --output json --page-size $PAGE --graph-url "$FAKE_URL"
EOF
chmod +x "$WORK/curl_loop.sh" "$WORK/sctui_list.sh"
# sanity: both see every session
got_sctui=$("$WORK/sctui_list.sh" | jq length)
got_curl=$("$WORK/curl_loop.sh" | jq -s 'map(.value | length) | add')
[ "$got_sctui" = "$LIST_N" ] && [ "$got_curl" = "$LIST_N" ] || {
    log "expected $LIST_N sessions, sctui saw $got_sctui, curl saw $got_curl"
    exit 1
}
if command -v hyperfine >/dev/null 2>&1; then
    hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$WORK/list.json" \
        -n sctui "$WORK/sctui_list.sh" -n curl "$WORK/curl_loop.sh" >&2
    LIST_SCTUI=$(jq '.results[] | select(.command == "sctui") | .median * 1000' "$WORK/list.json")
    LIST_CURL=$(jq '.results[] | select(.command == "curl") | .median * 1000' "$WORK/list.json")
    TIMER="hyperfine, median of $RUNS"
else
    time_ms() {
        local s e
        s=$(date +%s%N); "$1" >/dev/null; e=$(date +%s%N)
        echo $(( (e - s) / 1000000 ))
    }
    LIST_SCTUI=$(for _ in $(seq "$RUNS"); do time_ms "$WORK/sctui_list.sh"; done | median)
    LIST_CURL=$(for _ in $(seq "$RUNS"); do time_ms "$WORK/curl_loop.sh"; done | median)
    TIMER="date +%s%N loop, median of $RUNS"
fi
stop_fake
RATIO=$(awk -v a="$LIST_SCTUI" -v b="$LIST_CURL" 'BEGIN {printf "%.2f", a / b}')

# ---- table -------------------------------------------------------------------------------------
APP_SHARE=$(awk -v a="$RSS_DEMO_BIG_ALL" -v f="$RSS_FAKE_BIG" 'BEGIN {printf "%.1f", a - f}')
cat <<EOF
Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr); release build.

| what | goal | measured | |
|---|---|---|---|
| start to first drawn frame (\`--demo\`, "Loading sessions…") | < 50 ms | $(printf '%.1f' "$FF_ANY") ms (median of $RUNS, process start to exit) | $(verdict "$FF_ANY" 50) |
| start to first frame showing the list (\`--demo\`, first page in) | < 50 ms | $(printf '%.1f' "$FF_LIST") ms | $(verdict "$FF_LIST" 50) |
| CPU while idle for 10 s (\`--demo\`, tmux) | < 0.05 s | ${IDLE_S} s (${IDLE_TICKS} ticks of utime+stime) | $(verdict "$IDLE_S" 0.05) |
| RSS, \`--demo --demo-sessions $BIG\`, first page loaded | < 60 MB | ${RSS_DEMO_BIG_FIRST} MB (fake's $BIG sessions included; \`--demo-sessions 100\`: ${RSS_DEMO_100} MB) | $(verdict "$RSS_DEMO_BIG_FIRST" 60) |
| RSS, \`--demo --demo-sessions $BIG\`, all $BIG loaded in the app (G held, ${LOAD_ALL_DEMO} s) | < 60 MB | ${RSS_DEMO_BIG_ALL} MB total; app's share ≈ ${APP_SHARE} MB (total − the fake-graph process holding $BIG: ${RSS_FAKE_BIG} MB) | $(verdict "$RSS_DEMO_BIG_ALL" 60) |
| RSS of the app alone against \`fake-graph --sessions $BIG\` | < 60 MB | first page ${RSS_APP_FIRST} MB; all $BIG loaded (${LOAD_ALL_APP} s) ${RSS_APP_ALL} MB | $(verdict "$RSS_APP_ALL" 60) |
| \`sessions list --all --output json\`, $LIST_N sessions, \$top=$PAGE | ≤ 1.2× curl loop | sctui $(printf '%.0f' "$LIST_SCTUI") ms vs curl+jq loop $(printf '%.0f' "$LIST_CURL") ms = ${RATIO}× ($TIMER) | $(verdict "$RATIO" 1.2) |
| fake generating $BIG sessions (\`fake-graph --sessions $BIG\` to serving) | well under 1 s | ${GEN_BIG_MS} ms (100 sessions: ${GEN_SMALL_MS} ms; median of 5) | $(verdict "$GEN_BIG_MS" 1000) |
EOF
fi

# ---- latency: round trips against a far Graph ---------------------------------------
if [ -z "${ONLY:-}" ] || [ "$ONLY" = latency ]; then
# The fake answers every Graph request after LAT_MS, like a far service; what is timed is what a
# user waits for, and the requests are counted from sctui's own log (one line per request).
LAT_MS="${LAT_MS:-300}"
LAT_N=3000
LAT_RUNS="${LAT_RUNS:-5}"
LOGFILE="$WORK/home/.state/sctui/sctui.log"
log "latency: fake-graph --sessions $LAT_N --faults latency=${LAT_MS}ms ($LAT_RUNS runs each)"
start_fake --sessions "$LAT_N" --faults "latency=${LAT_MS}ms"
LAT_URL="$FAKE_URL"
CLI=("${SCTUI_ENV[@]}" SCTUI_ACCESS_TOKEN=bench-token SCTUI_LOG=info "$BIN" --graph-url "$LAT_URL")

# Runs `sctui ARGS…` $2 times ($1 names nothing, for the log); prints "median_ms requests" (the
# requests of one run, from the log).
timed() {
    local runs="$1" times=() s e
    shift
    for _ in $(seq "$runs"); do
        : >"$LOGFILE" 2>/dev/null || true
        s=$(date +%s%N)
        "${CLI[@]}" "$@" >/dev/null
        e=$(date +%s%N)
        times+=($(((e - s) / 1000000)))
    done
    echo "$(printf '%s\n' "${times[@]}" | median) $(grep -c 'graph request' "$LOGFILE" || true)"
}

log "latency: sessions list --all"
read -r LIST_ALL_MS LIST_ALL_REQ < <(timed "$LAT_RUNS" sessions list --all --output json)
read -r LIST_OLD_MS LIST_OLD_REQ < <(timed 1 sessions list --all --top 100 --output json)

stop_fake
# Conversations go in a fake with the demo's 40 sessions (the fake lists in creation order, so in
# the 3,000 the new ones would be on the last page, not the TUI's first).
start_fake --faults "latency=${LAT_MS}ms"
LAT_URL="$FAKE_URL"
CLI=("${SCTUI_ENV[@]}" SCTUI_ACCESS_TOKEN=bench-token SCTUI_LOG=info "$BIN" --graph-url "$LAT_URL")
log "latency: seeding conversations through the API"
new_session() { "${CLI[@]}" sessions create "$1" --output json | jq -r .id; }
# asks $3 questions "$2 N" in session $1, $4 at a time
ask_many() { seq "$3" | xargs -P "$4" -I{} "${CLI[@]}" ask --session "$1" "$2 {}" >/dev/null; }
BIG_ID=$(new_session "bench: sixty prompts")
ask_many "$BIG_ID" "Question" 60 30
NEXT_ID=$(new_session "bench: next")
ask_many "$NEXT_ID" "Next question" 3 3
TOP_ID=$(new_session "bench: top")
ask_many "$TOP_ID" "Top question" 3 3
order=$("${CLI[@]}" sessions list --output json | jq -r '.[0:3][].id' | tr '\n' ' ')
[ "$order" = "$TOP_ID $NEXT_ID $BIG_ID " ] || log "unexpected order: $order"

log "latency: opening the 60-prompt conversation (prompts list, as the TUI loads it)"
read -r OPEN_MS OPEN_REQ < <(timed "$LAT_RUNS" prompts list "$BIG_ID" --output json)

# Polls the pane of session $1 without pausing until it matches $2; prints the milliseconds since
# $3 (date +%s%N).
until_screen() {
    local name="$1" pattern="$2" t0="$3" i
    for ((i = 0; i < 20000; i++)); do
        if "${TMUX_CMD[@]}" capture-pane -p -t "$name" | grep -Eq -- "$pattern"; then
            echo $((($(date +%s%N) - t0) / 1000000))
            return 0
        fi
    done
    echo timeout
}
log "latency: TUI, j after a 1 s pause (the next session was fetched ahead), then j at once"
next_ms=()
cold_ms=()
floor_ms=()
for run in $(seq "$LAT_RUNS"); do
    name="next$run"
    EXTRA_ENV=(SCTUI_ACCESS_TOKEN=bench-token)
    start_tui "$name" --graph-url "$LAT_URL" >/dev/null
    EXTRA_ENV=()
    wait_screen "$name" 30 "Top question" || exit 1
    sleep 1
    t0=$(date +%s%N)
    "${TMUX_CMD[@]}" send-keys -t "$name" j
    next_ms+=("$(until_screen "$name" "Next question" "$t0")")
    # back at once to a cached session: what tmux and the polling add to any key (the floor)
    t0=$(date +%s%N)
    "${TMUX_CMD[@]}" send-keys -t "$name" k
    floor_ms+=("$(until_screen "$name" "Top question" "$t0")")
    "${TMUX_CMD[@]}" send-keys -t "$name" j
    until_screen "$name" "Next question" "$t0" >/dev/null
    # on at once: the session after it was not fetched ahead (the selection never settled on
    # the one before it)
    t0=$(date +%s%N)
    "${TMUX_CMD[@]}" send-keys -t "$name" j
    cold_ms+=("$(until_screen "$name" "Question [0-9]" "$t0")")
    "${TMUX_CMD[@]}" kill-session -t "$name"
done
NEXT_MS=$(printf '%s\n' "${next_ms[@]}" | median)
COLD_MS=$(printf '%s\n' "${cold_ms[@]}" | median)
FLOOR_MS=$(printf '%s\n' "${floor_ms[@]}" | median)

log "latency: start to first frame"
EXTRA_ENV=(SCTUI_ACCESS_TOKEN=bench-token)
FF_LAT=$(first_frame 1 --graph-url "$LAT_URL")
FF_LAT_LIST=$(first_frame list --graph-url "$LAT_URL")
EXTRA_ENV=()
stop_fake

cat <<EOF

Round trips against a far Graph: \`sctui fake-graph --sessions $LAT_N --faults latency=${LAT_MS}ms\`, median of $LAT_RUNS runs (requests counted in sctui's log).

| what | goal | measured | before | |
|---|---|---|---|---|
| \`sessions list --all\`, $LAT_N sessions | ≤ 1.5 s | ${LIST_ALL_MS} ms, ${LIST_ALL_REQ} requests (\$top=1000) | ${LIST_OLD_MS} ms, ${LIST_OLD_REQ} requests (\$top=100) | $(verdict "$LIST_ALL_MS" 1500) |
| open a 60-prompt conversation (\`prompts list\`, the TUI's load) | ≤ 0.8 s | ${OPEN_MS} ms, ${OPEN_REQ} requests in 2 round trips | | $(verdict "$OPEN_MS" 800) |
| next session's conversation on screen, \`j\` after a 1 s pause (TUI) | ≤ 50 ms | ${NEXT_MS} ms (fetched ahead; a cached session: ${FLOOR_MS} ms, what tmux and polling add) | ${COLD_MS} ms (\`j\` at once: nothing fetched ahead) | $(verdict "$NEXT_MS" 50) |
| start to first frame (TUI, exits after drawing) | ≤ 20 ms | $(printf '%.1f' "$FF_LAT") ms | first frame showing the list: $(printf '%.1f' "$FF_LAT_LIST") ms | $(verdict "$FF_LAT" 20) |
EOF
fi

# ---- the local store ---------------------------------------------------------------------------
if [ -z "${ONLY:-}" ] || [ "$ONLY" = store ]; then
STORE_N="${STORE_N:-10000}"
SYNC_N="${SYNC_N:-1000}"
SYNC_MS="${SYNC_MS:-100}"
MEM_N="${MEM_N:-100000}"
LOGFILE="$WORK/home/.state/sctui/sctui.log"
CLI_ENV=("${SCTUI_ENV[@]}" SCTUI_ACCESS_TOKEN=bench-token SCTUI_LOG=info)
port_of() { sed -E 's#^http://127\.0\.0\.1:([0-9]+)/.*#\1#' <<<"$1"; }
fresh_store() { rm -rf "$WORK/home/.data"; }

# Fills the store from a fake with $1 sessions (`sync`, the list only) and restarts the fake on
# the same port (the store is per Graph host) with the faults $2, if any; sets FAKE_URL.
stored_then_slow() {
    local n="$1" faults="${2:-}" port
    fresh_store
    start_fake --sessions "$n"
    port=$(port_of "$FAKE_URL")
    "${CLI_ENV[@]}" "$BIN" --graph-url "$FAKE_URL" sync >/dev/null
    stop_fake
    if [ -n "$faults" ]; then
        start_fake --port "$port" --sessions "$n" --faults "$faults"
    else
        start_fake --port "$port" --sessions "$n"
    fi
}

log "store: first frame with $STORE_N stored sessions, Graph answering after 2 s ($RUNS runs)"
stored_then_slow "$STORE_N" latency=2000ms
EXTRA_ENV=(SCTUI_ACCESS_TOKEN=bench-token)
read -r FF_STORED FF_STORED_ANY < <(first_frames_in_turns stored 1 --graph-url "$FAKE_URL")
EXTRA_ENV=()
stop_fake

log "store: sync --conversations of $SYNC_N sessions at latency=${SYNC_MS}ms, one at a time, then 4 at a time"
# Prints "ms requests list_pages" for one sync into an empty store, $1 requests at a time.
sync_run() {
    fresh_store
    : >"$LOGFILE" 2>/dev/null || true
    local s e
    s=$(date +%s%N)
    "${CLI_ENV[@]}" "$BIN" --graph-url "$FAKE_URL" sync --conversations --concurrency "$1" >/dev/null
    e=$(date +%s%N)
    echo "$(((e - s) / 1000000)) $(grep -c 'graph request' "$LOGFILE" || true)" \
        "$(grep 'graph request' "$LOGFILE" | grep -c 'path="[^"]*/sessions"' || true)"
}
start_fake --sessions "$SYNC_N" --faults "latency=${SYNC_MS}ms"
read -r SYNC_ONE_MS SYNC_ONE_REQ _ < <(sync_run 1)
read -r SYNC_FOUR_MS SYNC_FOUR_REQ SYNC_PAGES < <(sync_run 4)
# what a sync has to ask besides the list's pages: each session's prompts and each prompt's
# evaluations
PROMPTS=$("${CLI_ENV[@]}" "$BIN" --offline --graph-url "$FAKE_URL" store stats --output json | jq .turns)
SYNC_LISTS=$((SYNC_N + PROMPTS))
SYNC_CONV_REQ=$((SYNC_FOUR_REQ - SYNC_PAGES))
stop_fake
SYNC_SPEEDUP=$(awk -v a="$SYNC_ONE_MS" -v b="$SYNC_FOUR_MS" 'BEGIN {printf "%.2f", a / b}')
SYNC_VERDICT=$(awk -v r="$SYNC_SPEEDUP" -v q="$SYNC_CONV_REQ" -v l="$SYNC_LISTS" 'BEGIN {print (r >= 3.5 && q <= l) ? "met" : "MISSED"}')

log "store: RSS with $MEM_N known sessions"
stored_then_slow "$MEM_N" latency=2000ms
EXTRA_ENV=(SCTUI_ACCESS_TOKEN=bench-token)
pid=$(start_tui memstored --graph-url "$FAKE_URL")
wait_screen memstored 60 "$MEM_N known|$LIST_SHOWN"
sleep 1
RSS_STORED=$(rss_mb "$pid")
"${TMUX_CMD[@]}" kill-session -t memstored
stop_fake
start_fake --port "$(port_of "$FAKE_URL")" --sessions "$MEM_N"
: >"$LOGFILE" 2>/dev/null || true
pid=$(start_tui memall --graph-url "$FAKE_URL")
EXTRA_ENV=()
wait_screen memall 60 "$MEM_N known|$LIST_SHOWN"
# Graph revalidates the stored list page by page: wait until no request has been made for 2 s
prev=-1
for _ in $(seq 120); do
    now_req=$(grep -c 'graph request' "$LOGFILE" 2>/dev/null || true)
    [ "$now_req" = "$prev" ] && break
    prev="$now_req"
    sleep 2
done
RSS_REVALIDATED=$(rss_mb "$pid")
"${TMUX_CMD[@]}" kill-session -t memall
stop_fake

cat <<EOF

The local store: release build; first frames are the median of $RUNS runs.

| what | goal | measured | for comparison | |
|---|---|---|---|---|
| start to first frame showing $STORE_N stored sessions, Graph answering after 2 s | ≤ 50 ms | $(printf '%.1f' "$FF_STORED") ms | first frame of any kind, run in turns with it: $(printf '%.1f' "$FF_STORED_ANY") ms | $(verdict "$FF_STORED" 50) |
| \`sync --conversations\` of $SYNC_N sessions, latency=${SYNC_MS}ms, 4 at a time | ≥ 3.5× one at a time; ≤ $SYNC_LISTS prompts and evaluations lists | ${SYNC_FOUR_MS} ms: ${SYNC_SPEEDUP}×; ${SYNC_CONV_REQ} lists + ${SYNC_PAGES} pages of the session list | one at a time (\`--concurrency 1\`): ${SYNC_ONE_MS} ms, ${SYNC_ONE_REQ} requests | ${SYNC_VERDICT} |
| RSS of the TUI with $MEM_N known sessions (the stored list, Graph answering after 2 s) | ≤ 45 MB | ${RSS_STORED} MB | once Graph revalidated all $MEM_N: ${RSS_REVALIDATED} MB | $(verdict "$RSS_STORED" 45) |
EOF
fi
