#!/usr/bin/env bash
# Renders the real binary's screen in --demo to assets/screenshot.png: tmux (120x36) →
# capture-pane -e → scripts/ansi2html.py → headless Chromium. Re-run it when the UI changes.
#
# Needs: tmux, python3, chromium and fonts (Debian: apt-get install -y tmux chromium
# fonts-dejavu-core fonts-noto-cjk). Touches nothing of yours: HOME and XDG dirs are a temp dir.
#
# Env: SCTUI_SHOT_DOWN=N  rows to move down before the picture (default 2: a session whose
#                         answer has a table, inline code and headings)
#      SCTUI_SHOT_KEYS="…" extra tmux keys after that (e.g. "Tab j j" to scroll the detail)
#      SCTUI_SHOT_OUT=PATH where to write the PNG (default assets/screenshot.png)
set -euo pipefail

cd "$(dirname "$0")/.."
COLS=120
ROWS=36
OUT=${SCTUI_SHOT_OUT:-assets/screenshot.png}
DOWN=${SCTUI_SHOT_DOWN:-2}

for tool in tmux python3 chromium; do
    command -v "$tool" >/dev/null || { echo "screenshot.sh: $tool is not installed" >&2; exit 1; }
done

cargo build --release --quiet
BIN=$PWD/target/release/sctui

WORK=$(mktemp -d)
SOCKET="sctui-shot-$$"
cleanup() {
    tmux -L "$SOCKET" kill-server 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/home" "$WORK/chromium"
printf 'set -g status off\nset -g escape-time 10\nset -g default-terminal tmux-256color\n' >"$WORK/tmux.conf"
tmux_() {
    env -u TMUX -u NO_COLOR -u SCTUI_CONFIG -u SCTUI_PROFILE -u SCTUI_WORKSPACE \
        HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/config" XDG_STATE_HOME="$WORK/home/state" \
        XDG_CACHE_HOME="$WORK/home/cache" XDG_DATA_HOME="$WORK/home/data" \
        LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
        tmux -L "$SOCKET" "$@"
}

tmux_ -f "$WORK/tmux.conf" new-session -d -s shot -x "$COLS" -y "$ROWS" "$BIN" --demo

# wait for the list, then for the selected session's answer
wait_for() {
    local pattern=$1
    for _ in $(seq 1 100); do
        if tmux_ capture-pane -p -t shot | grep -q -- "$pattern"; then
            return 0
        fi
        sleep 0.1
    done
    echo "screenshot.sh: timed out waiting for '$pattern'" >&2
    tmux_ capture-pane -p -t shot >&2
    exit 1
}
wait_for "sessions"
for _ in $(seq 1 "$DOWN"); do
    tmux_ send-keys -t shot j
    sleep 0.15
done
wait_for "answered"
for key in ${SCTUI_SHOT_KEYS:-}; do
    tmux_ send-keys -t shot "$key"
    sleep 0.15
done
sleep 1 # let the spinner settle and the clock tick

tmux_ capture-pane -e -p -t shot >"$WORK/screen.ans"
python3 scripts/ansi2html.py "$COLS" "$ROWS" <"$WORK/screen.ans" >"$WORK/screen.html"

mkdir -p "$(dirname "$OUT")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$WORK/chromium" \
    --window-size=1160,732 --screenshot="$PWD/$OUT" "file://$WORK/screen.html" 2>/dev/null
echo "wrote $OUT"
