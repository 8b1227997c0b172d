# browser: the heads a current browser sends and a typical production server answers with.
#
# Request heads: recorded from Chromium 156.0.8078.114 (headless, Linux) on 2026-12-01 by
# scripts/capture-browser-profile.sh, exactly as sent (order and case) to the page `bench serve`
# offers at its `browser` URL: fetch short polling and long polling ({cache: "no-store"}),
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

[short-poll request]
Pragma: no-cache
Cache-Control: no-cache
sec-ch-ua-platform: "Linux"
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36
sec-ch-ua: "Not:A-Brand";v="8", "Chromium";v="156"
sec-ch-ua-mobile: ?0
Accept: */*
Sec-Fetch-Site: same-origin
Sec-Fetch-Mode: cors
Sec-Fetch-Dest: empty
Referer: http://127.0.0.1:33921/browser?duration=1&interval=0.25
Accept-Encoding: gzip, deflate, br, zstd
Accept-Language: en-US,en;q=0.9

[short-poll response]
Server: nginx/1.24.0
Date: Mon, 30 Nov 2026 10:00:00 GMT
Content-Security-Policy: default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests
Cross-Origin-Opener-Policy: same-origin
Cross-Origin-Resource-Policy: same-origin
Origin-Agent-Cluster: ?1
Referrer-Policy: no-referrer
Strict-Transport-Security: max-age=31536000; includeSubDomains
X-Content-Type-Options: nosniff
X-DNS-Prefetch-Control: off
X-Download-Options: noopen
X-Frame-Options: SAMEORIGIN
X-Permitted-Cross-Domain-Policies: none
X-XSS-Protection: 0
Cache-Control: no-store
ETag: W/"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w"

[long-poll request]
Pragma: no-cache
Cache-Control: no-cache
sec-ch-ua-platform: "Linux"
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36
sec-ch-ua: "Not:A-Brand";v="8", "Chromium";v="156"
sec-ch-ua-mobile: ?0
Accept: */*
Sec-Fetch-Site: same-origin
Sec-Fetch-Mode: cors
Sec-Fetch-Dest: empty
Referer: http://127.0.0.1:33921/browser?duration=1&interval=0.25
Accept-Encoding: gzip, deflate, br, zstd
Accept-Language: en-US,en;q=0.9

[long-poll response]
Server: nginx/1.24.0
Date: Mon, 30 Nov 2026 10:00:00 GMT
Content-Security-Policy: default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests
Cross-Origin-Opener-Policy: same-origin
Cross-Origin-Resource-Policy: same-origin
Origin-Agent-Cluster: ?1
Referrer-Policy: no-referrer
Strict-Transport-Security: max-age=31536000; includeSubDomains
X-Content-Type-Options: nosniff
X-DNS-Prefetch-Control: off
X-Download-Options: noopen
X-Frame-Options: SAMEORIGIN
X-Permitted-Cross-Domain-Policies: none
X-XSS-Protection: 0
Cache-Control: no-store
ETag: W/"2-l9Fw4VUO7kr8CvBlt4zaMCqXZ0w"

[event-source request]
Pragma: no-cache
Cache-Control: no-cache
sec-ch-ua-platform: "Linux"
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36
Accept: text/event-stream
sec-ch-ua: "Not:A-Brand";v="8", "Chromium";v="156"
sec-ch-ua-mobile: ?0
Sec-Fetch-Site: same-origin
Sec-Fetch-Mode: cors
Sec-Fetch-Dest: empty
Referer: http://127.0.0.1:33921/browser?duration=1&interval=0.25
Accept-Encoding: gzip, deflate, br, zstd
Accept-Language: en-US,en;q=0.9

[event-source response]
Server: nginx/1.24.0
Date: Mon, 30 Nov 2026 10:00:00 GMT
Content-Security-Policy: default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests
Cross-Origin-Opener-Policy: same-origin
Cross-Origin-Resource-Policy: same-origin
Origin-Agent-Cluster: ?1
Referrer-Policy: no-referrer
Strict-Transport-Security: max-age=31536000; includeSubDomains
X-Content-Type-Options: nosniff
X-DNS-Prefetch-Control: off
X-Download-Options: noopen
X-Frame-Options: SAMEORIGIN
X-Permitted-Cross-Domain-Policies: none
X-XSS-Protection: 0
Cache-Control: no-cache

[fetch-stream request]
Pragma: no-cache
Cache-Control: no-cache
sec-ch-ua-platform: "Linux"
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36
sec-ch-ua: "Not:A-Brand";v="8", "Chromium";v="156"
sec-ch-ua-mobile: ?0
Accept: */*
Sec-Fetch-Site: same-origin
Sec-Fetch-Mode: cors
Sec-Fetch-Dest: empty
Referer: http://127.0.0.1:33921/browser?duration=1&interval=0.25
Accept-Encoding: gzip, deflate, br, zstd
Accept-Language: en-US,en;q=0.9

[fetch-stream response]
Server: nginx/1.24.0
Date: Mon, 30 Nov 2026 10:00:00 GMT
Content-Security-Policy: default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests
Cross-Origin-Opener-Policy: same-origin
Cross-Origin-Resource-Policy: same-origin
Origin-Agent-Cluster: ?1
Referrer-Policy: no-referrer
Strict-Transport-Security: max-age=31536000; includeSubDomains
X-Content-Type-Options: nosniff
X-DNS-Prefetch-Control: off
X-Download-Options: noopen
X-Frame-Options: SAMEORIGIN
X-Permitted-Cross-Domain-Policies: none
X-XSS-Protection: 0
Cache-Control: no-cache

[websocket request]
Pragma: no-cache
Cache-Control: no-cache
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36
Origin: http://127.0.0.1:33921
Accept-Encoding: gzip, deflate, br, zstd
Accept-Language: en-US,en;q=0.9
Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits

[websocket response]
Server: nginx/1.24.0
Date: Mon, 30 Nov 2026 10:00:00 GMT

[grpc request]
user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36
