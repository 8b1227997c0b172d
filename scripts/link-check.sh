#!/usr/bin/env bash
# Cross-checks the in-process link emulator (`--delay-ms`, `--bandwidth-down/up`) against the
# kernel's own traffic control, across a real (virtual) network: `bench serve` runs in one
# network namespace, the clients (`bench run --target`) in another, joined by a veth pair whose
# two ends carry a tc qdisc — netem for the delay (each end delays what it sends, so `netem
# delay D` on both is a one-way delay D each way), tbf for the bandwidth. The same scenario runs
# once that way with no emulator, and once in-process on loopback with the emulator; the script
# prints each transport's p50 and p90 both ways and passes when they agree within the stated
# tolerance. It then runs two load processes as the two hosts of one run across the pair and
# merges their results (`bench merge`). Exits 1 if a check disagrees, 2 if it cannot run.
#   sudo scripts/link-check.sh            (DELAY_MS=25 TOLERANCE=0.15 by default)
#   sudo QDISC_CHECKS=0 scripts/link-check.sh   only the two-host run across the pair (the tests' use)
#
# Needs root, iproute2 (ip, tc) and a kernel with network namespaces and veth; the delay check
# needs sch_netem, the bandwidth check sch_tbf. A missing one is reported and its check skipped.
# One client: the emulator gives every connection a link of its own, while a qdisc on the veth
# is shared by every connection, so the two agree only for a single connection.
set -euo pipefail
cd "$(dirname "$0")/.."
delay=${DELAY_MS:-25}
tolerance=${TOLERANCE:-0.15}

cannot() { echo "link-check.sh: cannot run: $*" >&2; exit 2; }
[[ $(id -u) == 0 ]] || cannot "needs root to create a network namespace and a qdisc (run it with sudo)"
command -v ip >/dev/null && command -v tc >/dev/null || cannot "needs iproute2 (apt-get install iproute2)"

# BENCH=path/to/bench uses that build instead of making a release build.
if [[ -n ${BENCH:-} ]]; then
    bench=$BENCH
else
    scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
    swift build -c release --product bench "${scratch[@]}" >&2
    bench="$(swift build -c release --show-bin-path "${scratch[@]}")/bench"
fi

server_ns="tb-server-$$"
client_ns="tb-client-$$"
work=$(mktemp -d)
cleanup() {
    [[ -n ${serve_pid:-} ]] && kill "$serve_pid" 2>/dev/null || true
    ip netns del "$server_ns" 2>/dev/null || true
    ip netns del "$client_ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$server_ns" && ip netns add "$client_ns" || cannot "'ip netns add' failed (no network namespaces here?)"
ip link add tb-s$$ netns "$server_ns" type veth peer name tb-c$$ netns "$client_ns" || cannot "'ip link add … type veth' failed (no veth in this kernel?)"
ip -n "$server_ns" addr add 10.77.0.1/24 dev tb-s$$
ip -n "$client_ns" addr add 10.77.0.2/24 dev tb-c$$
for ns in "$server_ns" "$client_ns"; do ip -n "$ns" link set lo up; done
ip -n "$server_ns" link set tb-s$$ up
ip -n "$client_ns" link set tb-c$$ up

# bench serve in the server namespace; its control URL is its last line.
ip netns exec "$server_ns" "$bench" serve --host 10.77.0.1 --port 18080 --rate 1 >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 100); do grep -q '^control ' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^control ' "$work/serve.out" || { cat "$work/serve.err" >&2; cannot "bench serve did not start in the server namespace"; }
target=http://10.77.0.1:18080
# Off loopback the control API asks for the token bench serve printed; bench run reads it here.
export BENCH_CONTROL_TOKEN=$(awk '$1 == "control-token" { print $2 }' "$work/serve.out")

failures=0
ran=0
# check NAME QDISC-ARGS -- BENCH-FLAGS...: the scenario with the emulator, then under the qdisc.
check() {
    local name=$1 qdisc=$2
    shift 3
    if ! ip netns exec "$server_ns" tc qdisc replace dev tb-s$$ root $qdisc 2>"$work/tc.err" \
        || ! ip netns exec "$client_ns" tc qdisc replace dev tb-c$$ root $qdisc 2>>"$work/tc.err"; then
        echo "SKIPPED $name: 'tc qdisc replace dev VETH root $qdisc' failed: $(cat "$work/tc.err")" >&2
        echo "  (a kernel without this qdisc — for netem, CONFIG_NET_SCH_NETEM — cannot run this check)" >&2
        return
    fi
    ran=$((ran + 1))
    ip netns exec "$client_ns" "$bench" run --target "$target" "$@" --output "$work/kernel-$name" >/dev/null 2>"$work/kernel.log" \
        || { cat "$work/kernel.log" >&2; failures=$((failures + 1)); return; }
    ip netns exec "$server_ns" tc qdisc del dev tb-s$$ root
    ip netns exec "$client_ns" tc qdisc del dev tb-c$$ root
    "$bench" run "$@" $emulator --output "$work/emulated-$name" >/dev/null 2>"$work/emulated.log" \
        || { cat "$work/emulated.log" >&2; failures=$((failures + 1)); return; }
    python3 - "$work/emulated-$name/results.json" "$work/kernel-$name/results.json" "$name" "$tolerance" <<'EOF' || failures=$((failures + 1))
import json, sys
emulated, kernel, name, tolerance = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], float(sys.argv[4])
print(f"\n{name}: in-process emulator on loopback vs bench run --target across the veth pair under the qdisc, p50 and p90 within {tolerance:.0%}\n")
print("| Transport | emulator p50 (ms) | kernel p50 (ms) | emulator p90 (ms) | kernel p90 (ms) | model p50 (ms) | agree |")
print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
bad = 0
for e, k in zip(emulated["results"], kernel["results"]):
    ok = all(abs(e[f] - k[f]) <= tolerance * max(e[f], k[f]) for f in ("latencyP50Nanoseconds", "latencyP90Nanoseconds"))
    bad += not ok
    ms = lambda v: f"{v / 1e6:.2f}"
    print(f"| {e['transport']} {e['variant']} | {ms(e['latencyP50Nanoseconds'])} | {ms(k['latencyP50Nanoseconds'])} | "
          f"{ms(e['latencyP90Nanoseconds'])} | {ms(k['latencyP90Nanoseconds'])} | {ms(e.get('modelLatencyP50Nanoseconds') or 0)} | {'yes' if ok else '**no**'} |")
sys.exit(1 if bad else 0)
EOF
}

if [[ ${QDISC_CHECKS:-1} != 0 ]]; then
transports=websocket,sse,long-polling,short-polling,grpc
emulator="--delay-ms $delay"
check "delay ${delay} ms" "netem delay ${delay}ms" -- --transport "$transports" --clients 1 --rate 5 --duration 6
# 16 KiB events at 1 Mbit/s: 131 ms to send each, twice a second.
emulator="--bandwidth-down 1mbit --bandwidth-up 1mbit"
check "bandwidth 1 Mbit/s" "tbf rate 1mbit burst 1600 limit 200000" -- --transport websocket,sse,grpc --clients 1 --rate 2 --payload-bytes 16384 --duration 6
fi

# Two load hosts of one run across the pair (no qdisc), merged.
hosts=()
for host in a b; do
    ip netns exec "$client_ns" "$bench" run --target "$target" --hosts 2 --run-id pair --transport websocket,sse,grpc,long-polling \
        --clients 5 --rate 20 --duration 3 --output "$work/host-$host" >/dev/null 2>"$work/host-$host.log" &
    hosts+=($!)
done
wait "${hosts[@]}" || true
if "$bench" merge "$work/host-a" "$work/host-b" --output "${MERGED_OUTPUT:-$work/merged}" >"$work/merged.txt" 2>"$work/merge.log"; then
    echo -e "\ntwo load processes as the two hosts of one run across the veth pair, merged (bench merge):\n"
    cat "$work/merged.txt"
else
    cat "$work"/host-*.log "$work/merge.log" >&2
    failures=$((failures + 1))
fi

if [[ $ran == 0 && ${QDISC_CHECKS:-1} != 0 ]]; then echo "link-check: no qdisc this check needs is available in this kernel; only the two-host run ran" >&2; fi
if [[ $failures == 0 ]]; then echo -e "\nlink-check: every check that ran agrees."; else echo -e "\nlink-check: $failures check(s) disagree." >&2; exit 1; fi
