# minimal: the smallest heads the protocols allow, what TransportBench sent before header
# profiles existed (a non-browser client and a bare server). For protocol-floor studies.
#
# Format (docs/headers.md): [KIND request] / [KIND response] sections of `Name: value` lines,
# sent in this order with this case; `#` starts a comment. The stack adds what it owns: the
# request line, Host, Content-Length, Connection: close (per-request polling), Last-Event-ID, the
# WebSocket handshake's Upgrade, Connection and Sec-WebSocket-*, and on responses the status
# line, Content-Type, Content-Length or Transfer-Encoding.

[short-poll request]
User-Agent: TransportBench/0.1
Accept: application/json

[short-poll response]
Cache-Control: no-store

[long-poll request]
User-Agent: TransportBench/0.1
Accept: application/json

[long-poll response]
Cache-Control: no-store

[event-source request]
User-Agent: TransportBench/0.1
Accept: text/event-stream

[event-source response]
Cache-Control: no-store

[fetch-stream request]
User-Agent: TransportBench/0.1
Accept: application/x-ndjson

[fetch-stream response]
Cache-Control: no-store

[websocket request]
User-Agent: TransportBench/0.1

# No extra response head for websocket, and no gRPC metadata beyond grpc-swift's own.
