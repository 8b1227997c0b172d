#!/usr/bin/env bash
# Cross-checks the in-process link emulator (`--delay-ms`, `--bandwidth-down/up`) against the
# kernel's own traffic control: the same scenario runs once with the emulator on plain loopback,
# and once with no emulator inside a fresh network namespace whose loopback has a tc qdisc —
# netem for the delay (each packet crosses lo once per direction, so `netem delay D` is a one-way
# delay D), tbf for the bandwidth. It prints each transport's p50 and p90 both ways and passes
# when they agree within the stated tolerance; exits 1 if a check disagrees, 2 if it cannot run.
#   sudo scripts/link-check.sh            (DELAY_MS=25 TOLERANCE=0.15 by default)
#
# Needs root, iproute2 (ip, tc) and a kernel with network namespaces; the delay check needs
# sch_netem, the bandwidth check sch_tbf. A missing one is reported and its check skipped.
# One client: the emulator gives every connection a link of its own, while a qdisc on lo is
# shared by every connection, so the two agree only for a single connection.
set -euo pipefail
cd "$(dirname "$0")/.."
delay=${DELAY_MS:-25}
tolerance=${TOLERANCE:-0.15}

cannot() { echo "link-check.sh: cannot run: $*" >&2; exit 2; }
[[ $(id -u) == 0 ]] || cannot "needs root to create a network namespace and a qdisc (run it with sudo)"
command -v ip >/dev/null && command -v tc >/dev/null || cannot "needs iproute2 (apt-get install iproute2)"

scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
swift build -c release --product bench "${scratch[@]}" >&2
bench="$(swift build -c release --show-bin-path "${scratch[@]}")/bench"

namespace="tb-link-$$"
work=$(mktemp -d)
trap 'ip netns del "$namespace" 2>/dev/null || true; rm -rf "$work"' EXIT
ip netns add "$namespace" || cannot "'ip netns add' failed (no network namespaces here?)"
ip netns exec "$namespace" ip link set lo up
# A real link's MTU, so tbf shapes packets of a realistic size (lo's default is 64 KiB).
ip netns exec "$namespace" ip link set lo mtu 1500

failures=0
ran=0
# check NAME QDISC-ARGS -- BENCH-FLAGS...: the scenario with the emulator, then under the qdisc.
check() {
    local name=$1 qdisc=$2
    shift 3
    if ! ip netns exec "$namespace" tc qdisc replace dev lo root $qdisc 2>"$work/tc.err"; then
        echo "SKIPPED $name: 'tc qdisc add dev lo root $qdisc' failed: $(cat "$work/tc.err")" >&2
        echo "  (a kernel without this qdisc — for netem, CONFIG_NET_SCH_NETEM — cannot run this check)" >&2
        return
    fi
    ran=$((ran + 1))
    ip netns exec "$namespace" "$bench" run "$@" --output "$work/kernel-$name" >/dev/null 2>"$work/kernel.log" \
        || { cat "$work/kernel.log" >&2; failures=$((failures + 1)); return; }
    ip netns exec "$namespace" tc qdisc del dev lo root
    ip netns exec "$namespace" "$bench" run "$@" $emulator --output "$work/emulated-$name" >/dev/null 2>"$work/emulated.log" \
        || { cat "$work/emulated.log" >&2; failures=$((failures + 1)); return; }
    python3 - "$work/emulated-$name/results.json" "$work/kernel-$name/results.json" "$name" "$tolerance" <<'EOF' || failures=$((failures + 1))
import json, sys
emulated, kernel, name, tolerance = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3], float(sys.argv[4])
print(f"\n{name}: in-process emulator vs kernel qdisc, p50 and p90 within {tolerance:.0%}\n")
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

transports=websocket,sse,long-polling,short-polling,grpc
emulator="--delay-ms $delay"
check "delay ${delay} ms" "netem delay ${delay}ms" -- --transport "$transports" --clients 1 --rate 5 --duration 6
# 16 KiB events at 1 Mbit/s: 131 ms to send each, twice a second.
emulator="--bandwidth-down 1mbit --bandwidth-up 1mbit"
check "bandwidth 1 Mbit/s" "tbf rate 1mbit burst 1600 limit 200000" -- --transport websocket,sse,grpc --clients 1 --rate 2 --payload-bytes 16384 --duration 6

if [[ $ran == 0 ]]; then cannot "no qdisc this check needs is available in this kernel"; fi
if [[ $failures == 0 ]]; then echo -e "\nlink-check: every check that ran agrees."; else echo -e "\nlink-check: $failures check(s) disagree." >&2; exit 1; fi
