#!/usr/bin/env bash
# Records the request heads a real headless Chromium sends and writes the `browser` header
# profile (Sources/BenchCore/Profiles/browser.profile, format in docs/headers.md).
#
# `bench serve --record-heads FILE` writes every HTTP/1.1 request head it decodes, as it
# arrived (order and case); Chromium opens the page `bench serve` offers at its `browser` URL,
# which runs fetch short polling, fetch long polling, EventSource, WebSocket and a fetch read as
# a stream (HTTP streaming) against it. The
# first head of each kind becomes that kind's request head, minus what our stack writes itself
# (Host, Connection, Upgrade, Sec-WebSocket-Key and -Version). Browsers cannot speak h2c, so the
# capture is HTTP/1.1; over HTTP/2 the same fields go through HPACK. The response heads and the
# gRPC metadata are not captured: they come from the named server configuration below.
#
#   scripts/capture-browser-profile.sh                 # writes the committed profile
#   BENCH=.build/debug/bench OUT=/tmp/b.profile scripts/capture-browser-profile.sh
#
# Needs chromium (apt-get install chromium) and python3. Exit status: 0 written, 1 the capture
# failed, 3 cannot run here.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || { echo "cannot capture: chromium is not installed (apt-get install chromium)" >&2; exit 3; }
command -v python3 >/dev/null || { echo "cannot capture: python3 is not installed" >&2; exit 3; }
bench=${BENCH:-}
if [ -z "$bench" ]; then
  swift build --product bench >/dev/null
  bench="$(swift build --show-bin-path)/bench"
fi
out=${OUT:-Sources/BenchCore/Profiles/browser.profile}
work=$(mktemp -d)
server=""
browser=""
cleanup() {
  [ -n "$browser" ] && kill "$browser" 2>/dev/null && wait "$browser" 2>/dev/null || true
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  [ -n "${KEEP:-}" ] && cp "$work/heads.txt" "$KEEP" 2>/dev/null || true
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work"; }
}
trap cleanup EXIT

"$bench" serve --headers minimal --rate 4 --record-heads "$work/heads.txt" >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q '^browser ' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(awk '/^browser /{print $2}' "$work/serve.out")
[ -n "$url" ] || { echo "capture failed: bench serve printed no browser URL" >&2; cat "$work/serve.err" >&2; exit 1; }
version=$("$chromium" --version 2>/dev/null | grep -o 'Chromium [0-9.]*' | head -1)

"$chromium" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" \
  "$url?duration=1&interval=0.25" >"$work/chromium.out" 2>&1 &
browser=$!
# The page posts one result per transport when it is done with it: five in all.
for _ in $(seq 600); do
  [ "$(grep -c '^browser-result ' "$work/serve.out" || true)" -ge 5 ] && break
  sleep 0.1
done
[ "$(grep -c '^browser-result ' "$work/serve.out" || true)" -ge 5 ] || { echo "capture failed: Chromium did not finish the page" >&2; tail -20 "$work/chromium.out" >&2; exit 1; }

python3 - "$work/heads.txt" "$out" "$version" "$(date -u +%Y-%m-%d)" <<'PYTHON'
import sys
heads_file, out, version, date = sys.argv[1:]
owned = {"host", "connection", "upgrade", "sec-websocket-key", "sec-websocket-version", "content-length", "transfer-encoding"}
first = {}
for block in open(heads_file, encoding="utf-8", newline="").read().split("\r\n\r\n"):
    lines = [line for line in block.split("\r\n") if line]
    if not lines:
        continue
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" ", 1)[0]
    fields = [tuple(line.split(": ", 1)) for line in lines[1:]]
    path = target.split("?")[0]
    names = {name.lower() for name, _ in fields}
    kind = "websocket" if "upgrade" in names else {"/poll": "short-poll", "/long-poll": "long-poll", "/sse": "event-source", "/stream": "fetch-stream"}.get(path)
    if kind and kind not in first:
        first[kind] = fields
missing = {"short-poll", "long-poll", "event-source", "fetch-stream", "websocket"} - set(first)
if missing:
    sys.exit("capture failed: no request recorded for " + ", ".join(sorted(missing)))
user_agent = next(value for name, value in first["short-poll"] if name.lower() == "user-agent")

# The response heads: nginx 1.24.0's own (Server, Date; it writes Content-Type, Content-Length
# and Connection, which our stack owns) in front of an Express 4 API with helmet 8.1.0's default
# headers (helmetjs/helmet index.mjs) and the app's cache policy and Express's weak ETag.
nginx = [("Server", "nginx/1.24.0"), ("Date", "Mon, 30 Nov 2026 10:00:00 GMT")]
helmet = [
    ("Content-Security-Policy", "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Origin-Agent-Cluster", "?1"),
    ("Referrer-Policy", "no-referrer"),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-DNS-Prefetch-Control", "off"),
    ("X-Download-Options", "noopen"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("X-Permitted-Cross-Domain-Policies", "none"),
    ("X-XSS-Protection", "0"),
]
poll = nginx + helmet + [("Cache-Control", "no-store"), ("ETag", 'W/"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w"')]
responses = {
    "short-poll": poll,
    "long-poll": poll,
    "event-source": nginx + helmet + [("Cache-Control", "no-cache")],
    "fetch-stream": nginx + helmet + [("Cache-Control", "no-cache")],
    "websocket": nginx,
}
with open(out, "w", encoding="utf-8") as f:
    f.write(f"""# browser: the heads a current browser sends and a typical production server answers with.
#
# Request heads: recorded from {version} (headless, Linux) on {date} by
# scripts/capture-browser-profile.sh, exactly as sent (order and case) to the page `bench serve`
# offers at its `browser` URL: fetch short polling and long polling ({{cache: "no-store"}}),
# EventSource, WebSocket, and a fetch whose NDJSON body a ReadableStream reads. Left out
# because our stack writes them: Host, Connection (keep-alive), Upgrade, Sec-WebSocket-Key and
# Sec-WebSocket-Version. Referer and Origin name the capture's loopback address. Over HTTP/2
# the same fields travel through HPACK (browsers do not speak cleartext HTTP/2, so there is no
# h2 capture).
#
# Response heads: not captured but named: nginx 1.24.0 (Server, Date; the Date value is fixed,
# with the length of every IMF-fixdate) proxying an Express 4 API that uses helmet 8.1.0's
# defaults (helmetjs/helmet, index.mjs), plus the app's Cache-Control (no-store on polls,
# no-cache on the event stream and the NDJSON stream) and Express's weak ETag on polls. The
# WebSocket 101 carries nginx's Server and Date only: the upgrade does not pass through
# Express's middleware.
#
# gRPC call metadata: derived, not captured (a browser cannot make a gRPC call over h2c): the
# user-agent a browser-side client would send, Chromium's above. No response metadata beyond
# grpc-swift's own.
#
# browser-cookies adds `Cookie: ...` of --cookie-bytes value bytes at the end of every request
# head: every poll carries it, an EventSource or WebSocket connection once (its one request).
""")
    for kind in ["short-poll", "long-poll", "event-source", "fetch-stream", "websocket"]:
        f.write(f"\n[{kind} request]\n")
        for name, value in first[kind]:
            if name.lower() not in owned:
                f.write(f"{name}: {value}\n")
        f.write(f"\n[{kind} response]\n")
        for name, value in responses[kind]:
            f.write(f"{name}: {value}\n")
    f.write(f"\n[grpc request]\nuser-agent: {user_agent}\n")
print(f"wrote {out} from {version}")
PYTHON
