#!/usr/bin/env bash
# WebSocket echo and push, every client against every server, in one run: TransportBench's
# own (`bench serve`, `bench peer-client`), Node's `ws` (Debian: node-ws) and Python's
# `websockets` (PyPI). Echo: one connection, a 64-byte binary message sent and waited for,
# MESSAGES timed round trips after as many untimed. Push: the server sends PUSH messages of
# about 64 bytes on one connection as fast as it can; the client counts how fast they arrive
# (TransportBench's server sends protobuf events of 48 payload bytes, 64 bytes each, from its
# retention window). Prints one Markdown table; --output FILE also writes it there.
#   scripts/peers.sh [--output FILE]      (MESSAGES=20000 PUSH=100000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
output=""
[[ "${1:-}" == "--output" ]] && output="$2"
messages=${MESSAGES:-20000}
push=${PUSH:-100000}
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

command -v node >/dev/null || { echo "peers.sh: needs node and Debian's node-ws (apt-get install nodejs node-ws)" >&2; exit 2; }
node -e "require('ws')" 2>/dev/null || { echo "peers.sh: node cannot load 'ws' from NODE_PATH=$NODE_PATH (apt-get install node-ws)" >&2; exit 2; }
python3 -c "import websockets" 2>/dev/null || { echo "peers.sh: needs Python's websockets (pip install websockets)" >&2; exit 2; }

scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
swift build -c release --product bench "${scratch[@]}" >&2
bench="$(swift build -c release --show-bin-path "${scratch[@]}")/bench"

work=$(mktemp -d)
# start() runs inside $(…), a subshell: it records its servers' pids in a file, not a variable.
trap 'kill $(cat "$work/pids" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

# Starts a server in the background and prints the port from its first "port N" line
# (or, for bench serve, from its websocket endpoint line).
start() {
    local name=$1; shift
    "$@" > "$work/$name" 2>/dev/null &
    echo $! >> "$work/pids"
    for _ in $(seq 100); do
        if grep -qE '^(port [0-9]+|websocket ws://)' "$work/$name"; then
            grep -oE '^port [0-9]+|^websocket ws://127.0.0.1:[0-9]+' "$work/$name" | grep -oE '[0-9]+$' | head -1
            return
        fi
        sleep 0.1
    done
    echo "peers.sh: $name did not start" >&2; exit 1
}

declare -A echo_url push_url
p=$(start bench-echo "$bench" serve --rate 0.00001)
echo_url[TransportBench]="ws://127.0.0.1:$p/ws?mode=echo&encoding=protobuf&client=0"
p=$(start bench-push "$bench" serve --rate 0.00001 --preload "$push" --payload-bytes 48)
push_url[TransportBench]="ws://127.0.0.1:$p/ws?mode=push&encoding=protobuf&after=0"
p=$(start node-echo node scripts/peers/peer.js server echo); echo_url[node-ws]="ws://127.0.0.1:$p/"
p=$(start node-push node scripts/peers/peer.js server push "$push" 64); push_url[node-ws]="ws://127.0.0.1:$p/"
p=$(start python-echo python3 scripts/peers/peer.py server echo); echo_url[python-websockets]="ws://127.0.0.1:$p/"
p=$(start python-push python3 scripts/peers/peer.py server push "$push" 64); push_url[python-websockets]="ws://127.0.0.1:$p/"

client() {  # client NAME MODE URL
    case $1 in
        TransportBench) "$bench" peer-client "$2" "$3" --messages "$([[ $2 == echo ]] && echo "$messages" || echo "$push")" ;;
        node-ws) node scripts/peers/peer.js client "$2" "$3" "$([[ $2 == echo ]] && echo "$messages" || echo "$push")" 64 ;;
        python-websockets) python3 scripts/peers/peer.py client "$2" "$3" "$([[ $2 == echo ]] && echo "$messages" || echo "$push")" 64 ;;
    esac
}
field() { python3 -c "import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print('–' if v is None else (f'{v:.1f}' if sys.argv[2] != 'per_second' else f'{v:,.0f}'))" "$1" "$2"; }

peers=(TransportBench node-ws python-websockets)
table="| Workload | Client | Server | p50 round trip (µs) | p99 round trip (µs) | Messages / s |
| --- | --- | --- | ---: | ---: | ---: |"
# The floor first, from the same run: raw TCP ping-pong with blocking sockets (bench baseline).
echo "peers.sh: the raw TCP floor" >&2
floor=$("$bench" baseline --round-trips "$messages" 2>/dev/null | grep '^| raw TCP')
table+=$'\n'"| echo | raw TCP, blocking sockets | raw TCP echo thread | $(echo "$floor" | cut -d'|' -f3 | tr -d ' ') | $(echo "$floor" | cut -d'|' -f5 | tr -d ' ') | $(echo "$floor" | cut -d'|' -f7 | tr -d ' ') |"
for mode in echo push; do
    for c in "${peers[@]}"; do
        for s in "${peers[@]}"; do
            if [[ $mode == echo ]]; then url=${echo_url[$s]}; else url=${push_url[$s]}; fi
            echo "peers.sh: $mode, $c client → $s server" >&2
            result=$(client "$c" "$mode" "$url")
            table+=$'\n'"| $mode | $c | $s | $(field "$result" p50_us) | $(field "$result" p99_us) | $(field "$result" per_second) |"
            # A push server sends its messages once per connection; restart it for the next client.
            if [[ $mode == push && $s != TransportBench ]]; then
                case $s in
                    node-ws) p=$(start "node-push-$c" node scripts/peers/peer.js server push "$push" 64) ;;
                    python-websockets) p=$(start "python-push-$c" python3 scripts/peers/peer.py server push "$push" 64) ;;
                esac
                push_url[$s]="ws://127.0.0.1:$p/"
            fi
        done
    done
done
header="WebSocket peers on loopback, $(date -u +%Y-%m-%d), $(nproc) cores: $messages echo round trips of 64 B, $push pushed messages of ~64 B, one connection each; every row from this one run."
echo "$header"; echo; echo "$table"
[[ -n "$output" ]] && { echo "$header"; echo; echo "$table"; } > "$output"
exit 0
