#!/usr/bin/env bash
# Independent check of bench's byte accounting. For each transport (and short polling over
# HTTP/2) it captures the loopback traffic of a `bench run` with tshark (filter: the server's
# port, or the gRPC listener's) and compares the TCP payload bytes per direction with the run's
# results.json. They must match to the byte. The capture's bytes are read from TCP sequence
# numbers, so a retransmitted segment counts once.
#
# Then the same runs with --tls (and one with --tls-version 1.2): the TCP payload (ciphertext)
# must again equal bytesUp and bytesDown, and the TLS records tshark decrypts with the session
# secrets bench wrote (SSLKEYLOGFILE, NSS key log format) must equal the server's record census:
# every record is its 5-byte header plus tls.record.length (RFC 8446 §5.1); handshake
# (content type 22) and change_cipher_spec (20) records add up to tlsHandshakeBytes, alerts (21)
# to tlsAlertBytes, application data (23) to the census's application-record bytes. TLS 1.3
# hides the real content type inside the encrypted record (§5.2): tshark names it in
# tls.record.content_type once it decrypted the record, and leaves the field out when it could
# not, which the check counts as a mismatch.
#
# Below the payload, the report's TCP/IP estimate (results.json's `tcp`: segments and IP+TCP
# header bytes per direction, from TCP_INFO and TCP's rules) is compared with the frames tshark
# captured: every frame of the connections, SYN to last ACK, pure ACKs and retransmissions
# included, its IP+TCP headers being frame.len - 14 - tcp.len. On lo libpcap gives each frame a
# 14-byte Ethernet header of zeros that no wire carried; the check takes it off after checking
# that frame.len - ip.len is 14 for every frame. The estimate must be within one segment
# (and its header bytes) per ten connections, at least one, of the capture each way: TCP_INFO
# is read just before the socket closes, and a teardown whose ACK a delayed-ACK timer sent on
# its own (4 segments instead of the 3 the estimate assumes) is the known difference.
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
# name, then the bench run arguments that choose the transport and put it on $port. A name
# starting with tls- is a TLS run: its records are checked too.
runs=(
  "short-polling|--transport short-polling --port $port"
  "short-polling-per-request|--transport short-polling --poll-connection per-request --port $port"
  "long-polling|--transport long-polling --port $port"
  "sse|--transport sse --port $port"
  "websocket|--transport websocket --port $port"
  "short-polling-h2|--transport short-polling --http-version 2 --port $port"
  "grpc|--transport grpc --grpc-port $port"
  "http-streaming|--transport http-streaming --port $port"
  "stomp|--transport stomp --port $port"
  "grpc-web|--transport grpc-web --port $port"
  "grpc-web-text|--transport grpc-web-text --encoding protobuf --port $port"
  "tls-short-polling|--tls --transport short-polling --port $port"
  "tls-long-polling|--tls --transport long-polling --port $port"
  "tls-sse|--tls --transport sse --port $port"
  "tls-websocket|--tls --transport websocket --port $port"
  "tls-short-polling-h2|--tls --transport short-polling --http-version 2 --port $port"
  "tls-grpc|--tls --transport grpc --grpc-port $port"
  "tls1.2-short-polling|--tls --tls-version 1.2 --transport short-polling --port $port"
)
printf '%-25s %12s %12s %12s %12s  %s\n' transport "up (report)" "up (pcap)" "down (report)" "down (pcap)" verdict
records="$work/records.txt"
: >"$records"
segments="$work/segments.txt"
: >"$segments"
for run in "${runs[@]}"; do
  transport=${run%%|*}
  read -r -a arguments <<<"${run#*|}"
  pcap="$work/$transport.pcap"
  keys="$work/$transport.keys"
  # Started with default, unblocked SIGINT and SIGTERM: a parent (a test runner) may have left
  # them ignored or blocked, both survive exec, and tshark could then not be stopped.
  python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM): signal.signal(s, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT, signal.SIGTERM])
os.execvp(sys.argv[1], sys.argv[1:])' tshark -i lo -f "tcp port $port" -w "$pcap" >"$work/tshark.log" 2>&1 &
  capture=$!
  for _ in $(seq 100); do grep -q "Capturing on" "$work/tshark.log" && break; sleep 0.05; done
  # Both ends of a TLS run write their session secrets here (bench honours SSLKEYLOGFILE).
  SSLKEYLOGFILE="$keys" "$bench" run "${arguments[@]}" --clients 3 --rate 20 --duration 1 \
    --poll-interval 0.2 --output "$work/$transport" >/dev/null 2>&1
  sleep 0.5
  kill -TERM "$capture"; wait "$capture" || true
  python3 - "$transport" "$pcap" "$work/$transport/results.json" "$port" "$keys" "$records" "$segments" <<'PY' || status=1
import json, subprocess, sys
transport, pcap, results, port, keys, records, segments = sys.argv[1:8]
port = int(port)
row = json.load(open(results))["results"][0]

def tshark(*arguments):
    return subprocess.run(["tshark", "-r", pcap, *arguments], capture_output=True, text=True, check=True).stdout

def direction(source, destination):
    return "up" if int(destination) == port else "down" if int(source) == port else None

# Bytes per connection and direction from TCP sequence numbers (relative, so data starts at 1):
# the highest seq + len seen, minus 1. A segment the kernel retransmitted (it happens on a busy
# loopback) is counted once, as the application received it once.
ends = {}
for line in tshark("-T", "fields", "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.seq", "-e", "tcp.len").splitlines():
    stream, source, destination, sequence, length = line.split("\t")
    way = direction(source, destination)
    if int(length or 0) and way:
        ends[(stream, way)] = max(ends.get((stream, way), 1), int(sequence) + int(length))
up = sum(end - 1 for (stream, way), end in ends.items() if way == "up")
down = sum(end - 1 for (stream, way), end in ends.items() if way == "down")
ok = row["bytesUp"] == up and row["bytesDown"] == down
print(f'{transport:25} {row["bytesUp"]:12} {up:12} {row["bytesDown"]:12} {down:12}  {"match" if ok else "MISMATCH"}', flush=True)

# Every frame each way: its count, and its IP+TCP headers (frame.len minus lo's 14-byte fake
# Ethernet header minus the TCP payload).
frames = {"up": [0, 0], "down": [0, 0]}
links = set()
for line in tshark("-T", "fields", "-e", "frame.len", "-e", "ip.len", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.len").splitlines():
    frame, ip, source, destination, length = line.split("\t")
    way = direction(source, destination)
    if way:
        links.add(int(frame) - int(ip))
        frames[way][0] += 1
        frames[way][1] += int(frame) - 14 - int(length)
tcp = row.get("tcp") or {}
estimate = {"up": [tcp.get("segmentsIn", 0), tcp.get("headerBytesIn", 0)], "down": [tcp.get("segmentsOut", 0), tcp.get("headerBytesOut", 0)]}
tolerance = max(1, row["connections"] // 10)
close = all(abs(estimate[way][0] - frames[way][0]) <= tolerance and abs(estimate[way][1] - frames[way][1]) <= 60 * tolerance for way in frames)
tcp_ok = close and links == {14} and tcp.get("connections") == row["connections"]
with open(segments, "a") as file:
    print(f'{transport:25} {row["connections"]:5} {estimate["up"][0]:8} {frames["up"][0]:8} {estimate["down"][0]:8} {frames["down"][0]:8} '
          f'{estimate["up"][1]:10} {frames["up"][1]:10} {estimate["down"][1]:10} {frames["down"][1]:10} {tcp.get("retransmittedSegments", 0):7}  '
          f'{"match" if tcp_ok else "MISMATCH"}', file=file)
ok = ok and tcp_ok

if transport.startswith("tls"):
    # Every TLS record in the capture, decrypted with the run's secrets: its content type (the
    # inner one in TLS 1.3) and its length, in order within each frame. Retransmitted segments
    # are left out: their records were dissected from the first copy.
    kinds = {20: "handshake", 22: "handshake", 21: "alert", 23: "application"}
    totals = {"handshake": 0, "alert": 0, "application": 0, "undecrypted": 0}
    fields = tshark("-o", f"tls.keylog_file:{keys}", "-d", f"tcp.port=={port},tls",
                    "-Y", "tls.record and not tcp.analysis.retransmission and not tcp.analysis.spurious_retransmission",
                    "-T", "fields", "-e", "tls.record.content_type", "-e", "tls.record.length")
    for line in fields.splitlines():
        types, lengths = line.split("\t")
        types = [int(value) for value in types.split(",") if value]
        lengths = [int(value) for value in lengths.split(",") if value]
        if len(types) != len(lengths):
            # A record tshark could not decrypt has a length and no content type.
            totals["undecrypted"] += sum(length + 5 for length in lengths)
            continue
        for kind, length in zip(types, lengths):
            totals[kinds.get(kind, "undecrypted")] += length + 5
    # The cipher suite each ServerHello chose (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3).
    suites = sorted(set(tshark("-d", f"tcp.port=={port},tls", "-Y", "tls.handshake.type == 2",
                               "-T", "fields", "-e", "tls.handshake.ciphersuite").split()))
    census = row["serverTLS"]
    application = census["applicationRecordBytesIn"] + census["applicationRecordBytesOut"]
    expected = (row["tlsHandshakeBytes"], row["tlsAlertBytes"], application)
    found = (totals["handshake"], totals["alert"], totals["application"])
    records_ok = expected == found and totals["undecrypted"] == 0 and totals["handshake"] > 0
    ok = ok and records_ok
    with open(records, "a") as file:
        print(f'{transport:25} {",".join(suites):>13} {expected[0]:10} {found[0]:10} {expected[1]:8} {found[1]:8} '
              f'{expected[2]:10} {found[2]:10}  {"match" if records_ok else "MISMATCH"}', file=file)
sys.exit(0 if ok else 1)
PY
done
# The records tshark decrypted against the server's census, per kind (bytes, headers included).
echo
printf '%-25s %13s %10s %10s %8s %8s %10s %10s  %s\n' "TLS records" "cipher suite" "handshake" "(pcap)" "alert" "(pcap)" "app data" "(pcap)" verdict
cat "$records"
# The TCP/IP estimate against the captured frames, per direction: segments, then IP+TCP header bytes.
echo
printf '%-25s %5s %8s %8s %8s %8s %10s %10s %10s %10s %7s  %s\n' "TCP/IP estimate" conns "seg up" "(pcap)" "seg down" "(pcap)" \
  "hdr up" "(pcap)" "hdr down" "(pcap)" retrans verdict
cat "$segments"
exit $status
