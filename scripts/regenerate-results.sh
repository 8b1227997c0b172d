#!/usr/bin/env bash
# Rebuilds everything under Results/ with a release build of bench, then rewrites the figures
# README.md and docs/ quote from it (scripts/doc-figures.py). Results/ holds only what bench
# wrote: run this whenever the code changes what bench measures, and commit the result.
# SCRATCH_PATH=.build-release picks another build folder (one is made if it does not exist).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
swift build -c release --product bench "${scratch[@]}"
bench="$(swift build -c release --show-bin-path "${scratch[@]}")/bench"
rm -rf Results/default Results/payloads Results/claims Results/sweeps Results/baseline Results/link Results/scale Results/remote \
    Results/compression Results/scale-compression Results/tls Results/scale-tls Results/security Results/latency Results/scale-out \
    Results/layers
"$bench" suite --output Results/default
# Latency against each run's own floor (docs/measuring.md): one client and ten, 200 events a second.
for clients in 1 10; do
  "$bench" run --transport long-polling,sse,websocket,grpc --clients "$clients" --rate 200 --output "Results/latency/clients-$clients"
done
# The same workload behind a 25 ms one-way link: the round trips loopback hides.
"$bench" run --transport all --delay-ms 25 --output Results/link
"$bench" payloads --output Results/payloads
# Every transport once without and once with its standard compression (docs/compression.md):
# chat messages at the default 128 bytes, and 2 KB JSON documents.
"$bench" run --transport all --compression both --payload-content chat --output Results/compression/chat
"$bench" run --transport all --compression both --payload-content document --payload-bytes 2048 --output Results/compression/document
# The suite over TLS 1.3 (docs/tls.md); what a handshake costs with each certificate key and
# version, on per-request polls (a full handshake every poll); per-request polling behind a
# 25 ms link, cleartext and over TLS 1.3 and 1.2, for the round trips a handshake adds.
"$bench" suite --tls --output Results/tls/suite
for version in 1.3 1.2; do
  for key in p256 rsa2048; do
    "$bench" run --transport short-polling --poll-connection per-request --clients 5 --tls --tls-version "$version" --tls-key "$key" \
        --output "Results/tls/handshakes/tls$version-$key"
  done
done
"$bench" run --transport short-polling --poll-connection per-request --clients 5 --tls --tls-key-exchange x25519 \
    --output Results/tls/handshakes/tls1.3-p256-x25519
"$bench" run --transport short-polling,long-polling --poll-connection per-request --delay-ms 25 --output Results/tls/link/cleartext
"$bench" run --transport short-polling,long-polling --poll-connection per-request --delay-ms 25 --tls --output Results/tls/link/tls1.3
"$bench" run --transport short-polling,long-polling --poll-connection per-request --delay-ms 25 --tls --tls-version 1.2 --output Results/tls/link/tls1.2
# What authentication costs each transport (docs/security.md): a JWT on every poll, once per stream.
for alg in hs256 es256; do
  "$bench" run --transport short-polling,long-polling,sse,websocket,grpc --clients 10 --rate 20 --duration 5 --poll-interval 0.5 \
      --headers minimal --auth jwt --jwt-alg "$alg" --output "Results/security/$alg"
done
# The transports applications layer on top (docs/transports/): each beside what it is built on,
# SSE and NDJSON streaming, WebSocket and STOMP, gRPC and gRPC-Web in both formats; in JSON and in
# protobuf, minimal and browser headers; and STOMP with every message acknowledged.
layered=sse,http-streaming,websocket,stomp,grpc,grpc-web,grpc-web-text
for encoding in json protobuf; do
  for headers in minimal browser; do
    "$bench" run --transport "$layered" --encoding "$encoding" --headers "$headers" --output "Results/layers/$encoding-$headers"
  done
done
"$bench" run --transport websocket,stomp --stomp-ack client-individual --output Results/layers/stomp-ack
# The round-trip floor, the harness, and the harness's WebSocket echo over TLS (wss).
"$bench" baseline --tls --output Results/baseline
"$bench" claims --claims Benchmarks/Claims --output Results/claims
# Where transports cross as events get more frequent: short polling's empty polls against
# long polling's request per event against the streams. 20 modeled seconds per point, 10× faster.
"$bench" sweep --vary rate=0.1,0.2,0.5,1,2,5,10,20,50 --transport short-polling,long-polling,sse,websocket,grpc \
    --clients 5 --poll-interval 1 --duration 20 --time-scale 10 --output Results/sweeps/rate
# What payload size does to each transport's overhead share, the layered ones beside theirs.
"$bench" sweep --vary payload-bytes=16,64,256,1024,4096,16384 \
    --transport short-polling,long-polling,sse,http-streaming,websocket,stomp,grpc,grpc-web \
    --clients 5 --rate 20 --duration 10 --time-scale 5 --output Results/sweeps/payload-bytes
# What round trips do to each transport's latency: one-way delay from 1 to 100 ms.
"$bench" sweep --vary delay-ms=1,5,10,25,50,100 --transport short-polling,long-polling,sse,websocket,grpc \
    --clients 5 --rate 10 --duration 5 --output Results/sweeps/delay
# 10,000 connections per connection-holding transport to a server process of its own.
"$bench" scale --clients 10000 --events 10 --output Results/scale
# The layered transports' idle connections at the same scale, to set beside their carriers' above.
"$bench" scale --clients 10000 --events 10 --transport http-streaming,stomp,grpc-web,grpc-web-text --output Results/layers/scale
# What compression contexts cost a server per connection: 2,000 connections per row, WebSocket
# with and without context takeover, SSE's gzip stream, gRPC; 2 KB chat events, above WebSocket's 1 KB threshold.
"$bench" scale --clients 2000 --events 10 --transport sse,websocket,grpc --compression both --payload-content chat --payload-bytes 2048 \
    --output Results/scale-compression/takeover
"$bench" scale --clients 2000 --events 10 --transport websocket --compression on --ws-no-context-takeover --payload-content chat --payload-bytes 2048 \
    --output Results/scale-compression/no-takeover
# What TLS costs a server per idle connection and per connection opened: 2,000 connections of
# SSE and WebSocket over TLS 1.3 (Results/scale has them in cleartext).
"$bench" scale --clients 2000 --events 10 --transport sse,websocket --tls --output Results/scale-tls
# Scale-out (docs/scale-out.md): two bench serve nodes, each transport with and without nginx in
# front and with and without Redis between them, so each hop's cost stands beside its twin; then
# three nodes behind nginx, the third killed three seconds in.
"$bench" run --transport all --nodes 2 --balancer both --backplane both --clients 4 --rate 50 --duration 6 \
    --output Results/scale-out/layers
"$bench" run --transport all --nodes 3 --kill-node-at 3 --clients 6 --rate 20 --duration 6 --output Results/scale-out/node-killed
# Two load processes as the two hosts of one run on a bench serve process, and their merge.
scripts/remote-pair.sh "$bench" Results/remote
# The figures README.md and docs/ quote, rewritten from the new Results/.
python3 scripts/doc-figures.py
echo "Results regenerated:" >&2
find Results -type f | sort >&2
