#!/usr/bin/env bash
# Regenerate screenshots/*.png from real screens: kubedeck --demo in a private tmux server at a fixed
# size, driven with send-keys, captured with colours (capture-pane -e) and rendered by render_png.py.
# Every wait polls the screen for what should appear, with a deadline.
set -euo pipefail

COLS=${COLS:-160}
ROWS=${ROWS:-45}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/screenshots"
SOCK="kubedeck-shots-$$"
TMP=$(mktemp -d)

need_apt=()
command -v tmux >/dev/null || need_apt+=(tmux)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
fi
python3 -c 'import PIL' 2>/dev/null || python3 -m pip install --quiet pillow

# KUBEDECK_BIN=target/debug/kubedeck reuses a build at hand; PROFILE=dev builds the debug binary
# (faster on a busy machine; the screens are the same).
PROFILE=${PROFILE:-release}
if [ -n "${KUBEDECK_BIN:-}" ]; then
    BIN=$(cd "$ROOT" && realpath "$KUBEDECK_BIN")
elif [ "$PROFILE" = release ]; then
    (cd "$ROOT" && cargo build --release --quiet)
    BIN="$ROOT/target/release/kubedeck"
else
    (cd "$ROOT" && cargo build --quiet)
    BIN="$ROOT/target/debug/kubedeck"
fi
mkdir -p "$OUT"

t() { tmux -L "$SOCK" "$@"; }

APP_PID=""
SERVER_PID=""
cleanup() {
    # Stop only what this script started: the dashboard, then its private tmux server, by PID.
    [ -n "$APP_PID" ] && kill -TERM "$APP_PID" 2>/dev/null || true
    [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

# The tmux session being driven (each theme gets its own, see the end).
S=shots
screen() { t capture-pane -p -t "$S"; }

# wait_for REGEX [SECONDS]: poll the screen until a line matches (extended regex), else fail with the screen.
wait_for() {
    local re=$1 deadline=$((SECONDS + ${2:-20}))
    until screen | grep -Eq -- "$re"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "timed out waiting for /$re/; the screen was:" >&2
            screen >&2
            exit 1
        fi
        sleep 0.1
    done
}

# settle [SECONDS]: wait until two captures 0.5 s apart are equal (a soft wait: go on at the deadline).
settle() {
    local deadline=$((SECONDS + ${1:-10})) a b
    a=$(screen)
    while [ "$SECONDS" -lt "$deadline" ]; do
        sleep 0.5
        b=$(screen)
        [ "$a" = "$b" ] && return 0
        a=$b
    done
}

# shot NAME [render_png options]
shot() {
    local name=$1
    shift
    t capture-pane -e -p -t "$S" >"$TMP/$name.ans"
    python3 "$ROOT/scripts/render_png.py" "$TMP/$name.ans" "$OUT/$name.png" --cols "$COLS" --rows "$ROWS" "$@"
    echo "screenshots/$name.png"
}

keys() { t send-keys -t "$S" "$@"; }
command_line() { keys ":$1" Enter; }

t new-session -d -s shots -x "$COLS" -y "$ROWS" \
    "TERM=tmux-256color exec '$BIN' --demo -A --screen pods --log-file '$TMP/kubedeck.log'"
SERVER_PID=$(t display-message -p '#{pid}')
APP_PID=$(t display-message -p -t shots '#{pane_pid}')

# Pods of every namespace, once the demo controllers have started them (no Pending/ContainerCreating left).
wait_for '^ *pods \[[1-9][0-9]*/[0-9]+\].*live' 30
deadline=$((SECONDS + 60))
# render-gpu-0 stays Pending: no node can take it (a problem the triage screen shows).
while screen | grep -v render-gpu | grep -Eq 'Pending|ContainerCreating' && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
settle
shot pods

command_line nodes
wait_for '^ *nodes \[[1-9][0-9]*/[0-9]+\].*live'
# The health panel of the node under the cursor fills in once fetched.
wait_for 'heartbeat'
settle
shot nodes

command_line svc
wait_for '^ *services \[[1-9][0-9]*/[0-9]+\].*live'
settle
shot services

command_line deploy
wait_for '^ *deployments \[[1-9][0-9]*/[0-9]+\].*live'
settle
shot deployments

# Events: every column whole but MESSAGE, cut with … and written out whole under the table.
command_line ev
wait_for '^ *events \[[1-9][0-9]*/[0-9]+\].*live'
settle
shot events

# Every kind the server serves, from discovery, as `kubectl api-resources` lists them.
command_line api-resources
wait_for '^ *api-resources \[[1-9][0-9]*\]'
wait_for 'certificates'
settle
shot api-resources

# A custom resource's screen: the CRD's additionalPrinterColumns, as the server's Table gives them.
command_line certificates
wait_for '^ *certificates \[[1-9][0-9]*/[0-9]+\].*live'
settle
shot crd-certificates

# A ConfigMap's keys: filter to shop, open brand (a text value, a JSON one, a binary one).
command_line cm
wait_for '^ *configmaps \[[1-9][0-9]*/[0-9]+\].*live'
keys / b r a n d Enter
wait_for '^ *configmaps \[1/[0-9]+\]'
keys Enter
wait_for '^ *keys \[[1-9]'
settle
shot configmap-keys
keys Escape Escape

# The YAML editor on a deployment, then the dry run's diff of a changed replica count.
command_line deploy
wait_for '^ *deployments \[[1-9][0-9]*/[0-9]+\].*live'
keys / w e b Enter
wait_for '^ *deployments \[1/[0-9]+\]'
keys e
wait_for '^ *edit deployment.apps/web'
wait_for 'replicas: '
settle
shot editor
for _ in $(seq 17); do keys Down; done
keys End BSpace 5
keys C-s
wait_for 'diff: live'
settle
shot edit-diff
keys Escape
wait_for 'not applied'
keys Escape
wait_for 'Discard your changes'
keys y
wait_for '^ *deployments \['
keys Escape

# Describe and YAML of a web pod: filter, confirm the filter, open.
command_line pods
wait_for '^ *pods \[[1-9][0-9]*/[0-9]+\].*live'
keys / w e b Enter
wait_for '^ *pods \[[1-9][0-9]*/[0-9]+\].*/web'
# The usage columns fill at the first metrics sample after the pods run (every 15 s).
wait_for 'web-[a-z0-9]+-[a-z0-9]+ +1/1 +Running +[0-9]+ +[0-9]+m ' 40
settle
shot pods-filtered
keys d
wait_for '^ *describe pods '
settle
shot describe
keys Escape
wait_for '^ *pods \['
keys y
wait_for '^ *yaml pods '
settle
shot yaml
keys Escape
wait_for '^ *pods \['
keys '?'
wait_for 'help: .* keys'
settle
shot help
keys Escape

# The containers of the first web pod, with the PROBES of the cursor row whole under the table.
wait_for '^ *pods \['
keys Enter
wait_for 'containers\('
settle
shot containers
keys Escape

# The container picker, as the debug container (b) opens it: the target container and the image.
wait_for '^ *pods \['
keys b
wait_for 'Target container'
settle
shot container-picker
keys Escape
# Typed at once, the next ':' would reach the dialog as alt-':' (one escape sequence): wait until it is gone.
deadline=$((SECONDS + 10))
while screen | grep -q 'Target container'; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "the picker did not close" >&2; exit 1; }
    sleep 0.1
done
# A command run without a TTY in the pod under the cursor: its output and exit code in a document.
wait_for '^ *pods \['
command_line "exec cat /etc/os-release"
wait_for 'exit code'
settle
shot exec
keys Escape
# A port-forward to the shop/web Service (F, its port offered, enter), twenty requests through it,
# then :pf with its counters and the pod serving it.
command_line "svc shop"
wait_for '^ *services \[[1-9][0-9]*/[0-9]+\].*live'
keys / w e b Enter
wait_for '^ *services \[1/[0-9]+\]'
keys F
wait_for 'Local address:'
keys Enter
wait_for 'web ⇄'
command_line pf
wait_for 'port-forwards \[1\]'
wait_for '127\.0\.0\.1:[0-9]+ +svc/shop/web:80 +web-'
port=$(screen | grep -Eo '127\.0\.0\.1:[0-9]+' | head -1 | cut -d: -f2)
python3 -c "
import urllib.request
for i in range(20):
    urllib.request.urlopen('http://127.0.0.1:$port/cart/%d' % i, timeout=10).read()
"
wait_for ' 0/20 '
settle
shot port-forwards
# Stopped again (ctrl-k, y), so that the later shots show no forward marker.
keys C-k
wait_for 'stop all 1 port-forwards'
keys y
wait_for 'No port-forwards'
keys Escape
sleep 0.3

# Workload actions on shop/web: the scale dialog (with its HPA warning), then a restart and the
# rollout history with the diff of the previous revision against the live template.
command_line "deploy shop"
wait_for '^ *deployments \[[1-9][0-9]*/[0-9]+\].*live'
keys / w e b Enter
wait_for '^ *deployments \[1/[0-9]+\]'
keys s
wait_for 'Current replicas: [0-9]'
settle
shot scale-dialog
keys Escape
sleep 0.3
keys r
wait_for 'confirm: restart'
keys y
wait_for 'successfully rolled out' 60
keys Escape
sleep 0.3
keys h
wait_for 'current, restart only'
keys j
wait_for 'diff live → revision 1'
settle
shot rollout-history

# Xray of shop/checkout (crash looping): its ReplicaSet, pod, container and what it uses, with states.
keys Escape
sleep 0.3
command_line "deploy shop"
wait_for '^ *deployments \[[1-9][0-9]*/[0-9]+\].*live'
keys / '^' c h e c k o u t '$' Enter
wait_for '^ *deployments \[1/[0-9]+\]'
keys T
wait_for '▾ Deployment checkout'
wait_for 'container checkout'
settle
shot xray

# Logs of the web deployment (three pods, stern-like), with a search highlighting matches.
keys Escape
sleep 0.3
command_line deploy
wait_for '^ *deployments \[[1-9][0-9]*/[0-9]+\].*live'
keys / w e b Enter
wait_for '^ *deployments \[1/[0-9]+\].*/web'
keys l
wait_for '^ *logs deployment/'
wait_for '■ web-.*■ web-.*■ web-'
# Let a screenful of lines arrive from all three pods before searching.
wait_for '[0-9]{2,} lines · following' 30
keys / c a r t '|' 5 0 0 Enter
wait_for 'search /cart\|500/'
settle
shot logs

# The control-plane screen as the demo scenario has it (a registered but missing metrics API, a
# fail-closed webhook without endpoints), then the health of the NotReady worker (last in the list).
keys Escape
sleep 0.3
command_line cp
wait_for 'CONTROL-PLANE PODS'
wait_for '✔ ready  kube-scheduler'
settle
shot controlplane
command_line nodes
wait_for '^ *nodes \[[1-9][0-9]*/[0-9]+\].*live'
keys G H
wait_for 'HEARTBEAT'
wait_for 'metrics-server|USAGE'
settle
shot node-health

# Every problem the demo cluster has, worst first (the OOM kill and the failed Job come a few seconds
# in), in every namespace (`:pods all` sets that).
command_line "pods all"
wait_for '^ *pods \[[1-9][0-9]*/[0-9]+\].*live'
command_line triage
wait_for '^ *triage \[[1-9][0-9]*/[0-9]+\].*live'
wait_for 'at max replicas'
wait_for 'OOMKilled'
wait_for 'BackoffLimitExceeded'
settle
shot triage

# Degraded: the same program restarted with a failing etcd check and a scheduler that stopped
# renewing its lease (15 s lease: STALE shows after that).
t respawn-pane -k -t shots \
    "TERM=tmux-256color exec '$BIN' --demo -A --demo-faults failing-check=etcd,stale-leader --log-file '$TMP/kubedeck2.log'"
APP_PID=$(t display-message -p -t shots '#{pane_pid}')
wait_for 'readyz check etcd failed' 30
wait_for 'no kube-scheduler leader' 60
wait_for '✔ ready  kube-scheduler' 30
settle
shot controlplane-degraded

# The pods screen in the light and mono themes (--theme), each in a fresh session; the first
# session's dashboard is stopped by PID once the next one runs (the tmux server needs a session).
for theme in light mono; do
    t new-session -d -s "shots-$theme" -x "$COLS" -y "$ROWS" \
        "TERM=tmux-256color exec '$BIN' --demo -A --screen pods --theme $theme --log-file '$TMP/kubedeck-$theme.log'"
    kill -TERM "$APP_PID" 2>/dev/null || true
    APP_PID=$(t display-message -p -t "shots-$theme" '#{pane_pid}')
    S="shots-$theme"
    wait_for '^ *pods \[[1-9][0-9]*/[0-9]+\].*live' 30
    deadline=$((SECONDS + 60))
    # render-gpu-0 stays Pending: no node can take it (a problem the triage screen shows).
    while screen | grep -v render-gpu | grep -Eq 'Pending|ContainerCreating' && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
    settle
    if [ "$theme" = light ]; then shot "pods-$theme" --light; else shot "pods-$theme"; fi
done
