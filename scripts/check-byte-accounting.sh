#!/usr/bin/env bash
# Independent check of bench's byte accounting. For each transport (and short polling over
# HTTP/2) it captures the loopback traffic of a `bench run` with tshark (filter: the server's
# port, or the gRPC listener's) and compares the TCP payload bytes per direction with the run's
# results.json. They must match to the byte. The capture's bytes are read from TCP sequence
# numbers, so a retransmitted segment counts once.
#
#   scripts/check-byte-accounting.sh            # builds bench (debug) if needed
#   BENCH=.build/release/bench PORT=19000 scripts/check-byte-accounting.sh
#
# Needs tshark (apt-get install tshark) and the right to capture on lo (root). Exit status:
# 0 every transport matches, 1 a mismatch, 3 cannot run here (the message says why).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tshark >/dev/null || { echo "cannot check: tshark is not installed (apt-get install tshark)" >&2; exit 3; }
[ "$(id -u)" = 0 ] || { echo "cannot check: capturing on lo needs root" >&2; exit 3; }
bench=${BENCH:-}
if [ -z "$bench" ]; then
  swift build --product bench >/dev/null
  bench="$(swift build --show-bin-path)/bench"
fi
port=${PORT:-18931}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
printf '%-16s %12s %12s %12s %12s  %s\n' transport "up (report)" "up (pcap)" "down (report)" "down (pcap)" verdict
# name, then the bench run arguments that choose the transport and put it on $port.
runs=(
  "short-polling|--transport short-polling --port $port"
  "long-polling|--transport long-polling --port $port"
  "sse|--transport sse --port $port"
  "websocket|--transport websocket --port $port"
  "short-polling-h2|--transport short-polling --http-version 2 --port $port"
  "grpc|--transport grpc --grpc-port $port"
)
for run in "${runs[@]}"; do
  transport=${run%%|*}
  read -r -a arguments <<<"${run#*|}"
  pcap="$work/$transport.pcap"
  # Started with default, unblocked SIGINT and SIGTERM: a parent (a test runner) may have left
  # them ignored or blocked, both survive exec, and tshark could then not be stopped.
  python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM): signal.signal(s, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT, signal.SIGTERM])
os.execvp(sys.argv[1], sys.argv[1:])' tshark -i lo -f "tcp port $port" -w "$pcap" >"$work/tshark.log" 2>&1 &
  capture=$!
  for _ in $(seq 100); do grep -q "Capturing on" "$work/tshark.log" && break; sleep 0.05; done
  "$bench" run "${arguments[@]}" --clients 3 --rate 20 --duration 1 \
    --poll-interval 0.2 --output "$work/$transport" >/dev/null 2>&1
  sleep 0.5
  kill -TERM "$capture"; wait "$capture" || true
  python3 - "$transport" "$pcap" "$work/$transport/results.json" "$port" <<'PY' || status=1
import json, subprocess, sys
transport, pcap, results, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
# Bytes per connection and direction from TCP sequence numbers (relative, so data starts at 1):
# the highest seq + len seen, minus 1. A segment the kernel retransmitted (it happens on a busy
# loopback) is counted once, as the application received it once.
fields = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.dstport",
                         "-e", "tcp.seq", "-e", "tcp.len"],
                        capture_output=True, text=True, check=True).stdout
ends = {}
for line in fields.splitlines():
    stream, source, destination, sequence, length = line.split("\t")
    if int(length or 0) == 0:
        continue
    direction = "up" if int(destination) == port else "down" if int(source) == port else None
    if direction:
        key = (stream, direction)
        ends[key] = max(ends.get(key, 1), int(sequence) + int(length))
up = sum(end - 1 for (stream, direction), end in ends.items() if direction == "up")
down = sum(end - 1 for (stream, direction), end in ends.items() if direction == "down")
row = json.load(open(results))["results"][0]
ok = row["bytesUp"] == up and row["bytesDown"] == down
print(f'{transport:16} {row["bytesUp"]:12} {up:12} {row["bytesDown"]:12} {down:12}  {"match" if ok else "MISMATCH"}')
sys.exit(0 if ok else 1)
PY
done
exit $status
