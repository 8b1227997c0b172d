#!/usr/bin/env python3
"""An outside WebSocket client (Python's `websockets`) for `bench serve`.

Connects to the push endpoint, receives COUNT events, checks that their sequences follow one
another with no gap and no repeat, answers the server's close handshake, and prints one JSON
line: {"received": N, "first": S, "last": S, "contiguous": true, "extensions": "..."}, the last
the 101's Sec-WebSocket-Extensions (null without; `websockets` offers permessage-deflate by
default and decodes compressed messages itself). Exit status 0 when all is well.

    python3 scripts/interop/websocket_push_client.py ws://127.0.0.1:PORT/ws 50
"""
import asyncio
import json
import sys

import websockets


async def main(url: str, count: int) -> int:
    sequences = []
    async with websockets.connect(url + "?mode=push&encoding=json&after=0", max_size=None) as socket:
        extensions = socket.response.headers.get("Sec-WebSocket-Extensions")
        while len(sequences) < count:
            message = await asyncio.wait_for(socket.recv(), timeout=10)
            if isinstance(message, bytes) or message.startswith("gap "):
                print(json.dumps({"error": "unexpected frame", "frame": str(message)[:80]}))
                return 1
            sequences.append(json.loads(message)["sequence"])
    contiguous = sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    print(json.dumps({"received": len(sequences), "first": sequences[0], "last": sequences[-1], "contiguous": contiguous, "extensions": extensions}))
    return 0 if contiguous else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], int(sys.argv[2]))))
