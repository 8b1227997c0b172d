#!/usr/bin/env python3
"""An outside WebSocket client (Python's `websockets`) for `bench serve`.

Connects to the push endpoint, receives COUNT events, checks that their sequences follow one
another with no gap and no repeat, answers the server's close handshake, and prints one JSON
line: {"received": N, "first": S, "last": S, "contiguous": true, "extensions": "..."}, the last
the 101's Sec-WebSocket-Extensions (null without; `websockets` offers permessage-deflate by
default and decodes compressed messages itself). Exit status 0 when all is well.

With a wss:// URL (bench serve --tls), --cafile names the certificate to trust (bench serve's
`certificate PATH` line); Python's ssl module verifies the server against it, host name included.

    python3 scripts/interop/websocket_push_client.py ws://127.0.0.1:PORT/ws 50
    python3 scripts/interop/websocket_push_client.py wss://127.0.0.1:PORT/ws 50 --cafile cert.pem
"""
import argparse
import asyncio
import json
import ssl
import sys

import websockets


async def main(url: str, count: int, cafile: str | None) -> int:
    sequences = []
    context = ssl.create_default_context(cafile=cafile) if url.startswith("wss://") else None
    async with websockets.connect(url + "?mode=push&encoding=json&after=0", max_size=None, ssl=context) as socket:
        extensions = socket.response.headers.get("Sec-WebSocket-Extensions")
        while len(sequences) < count:
            message = await asyncio.wait_for(socket.recv(), timeout=10)
            if isinstance(message, bytes) or message.startswith("gap "):
                print(json.dumps({"error": "unexpected frame", "frame": str(message)[:80]}))
                return 1
            sequences.append(json.loads(message)["sequence"])
        tls = socket.transport.get_extra_info("ssl_object")
    contiguous = sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    print(json.dumps({"received": len(sequences), "first": sequences[0], "last": sequences[-1], "contiguous": contiguous,
                      "extensions": extensions, "tls": tls.version() if tls else None}))
    return 0 if contiguous else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Receive pushed events from bench serve's WebSocket endpoint.")
    parser.add_argument("url")
    parser.add_argument("count", type=int)
    parser.add_argument("--cafile", help="the certificate to trust for wss:// (bench serve --tls prints its path)")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.url, arguments.count, arguments.cafile)))
