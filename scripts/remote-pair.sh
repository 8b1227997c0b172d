#!/usr/bin/env bash
# Two load processes as the two hosts of one run against a `bench serve` process on this
# machine (bench run --target … --hosts 2 --run-id pair), then their merge (bench merge):
#   scripts/remote-pair.sh BENCH OUTPUT      writes OUTPUT/host-a, OUTPUT/host-b, OUTPUT/merged
# Extra arguments after OUTPUT go to both bench run commands.
set -euo pipefail
bench=$1 output=$2
shift 2
workload=(--transport websocket,sse,grpc,long-polling --clients 5 --rate 20 --duration 5 "$@")
log=$(mktemp)
"$bench" serve --port 0 --rate 1 >"$log" 2>/dev/null &
serve=$!
trap 'kill $serve 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q '^control ' "$log" && break; sleep 0.1; done
target=$(awk '$1 == "control" { print $2 }' "$log")
[[ -n $target ]] || { echo "remote-pair.sh: bench serve did not start" >&2; exit 2; }
pids=()
for host in a b; do
    "$bench" run --target "$target" --hosts 2 --run-id pair "${workload[@]}" --output "$output/host-$host" >/dev/null &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
"$bench" merge "$output/host-a" "$output/host-b" --output "$output/merged"
