"""Python's `websockets` as the peer: an echo or push server, or a client that times echo
round trips or counts pushed messages. Prints one line: "port N" for servers, a JSON object
for clients.

    python3 peer.py server echo
    python3 peer.py server push MESSAGES BYTES
    python3 peer.py client echo URL MESSAGES BYTES
    python3 peer.py client push URL MESSAGES
"""
import asyncio
import json
import sys
import time

import websockets


async def serve(mode, rest):
    async def handler(socket):
        if mode == "echo":
            async for message in socket:
                await socket.send(message)
        else:
            messages, size = int(rest[0]), int(rest[1])
            message = b"\x42" * size
            for _ in range(messages):
                await socket.send(message)
            await socket.wait_closed()

    async with websockets.serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.Future()


async def client(mode, url, messages, size):
    async with websockets.connect(url, compression=None, max_size=None) as socket:
        if mode == "echo":
            message = b"\x42" * size
            samples = []
            start = 0
            for index in range(2 * messages):
                if index == messages:
                    start = time.perf_counter_ns()
                sent = time.perf_counter_ns()
                await socket.send(message)
                await socket.recv()
                if index >= messages:
                    samples.append(time.perf_counter_ns() - sent)
            seconds = (time.perf_counter_ns() - start) / 1e9
            samples.sort()
            print(json.dumps({"p50_us": samples[len(samples) // 2] / 1e3, "p99_us": samples[int(len(samples) * 0.99)] / 1e3, "per_second": messages / seconds}))
        else:
            await socket.recv()
            start = time.perf_counter_ns()
            for _ in range(messages - 1):
                await socket.recv()
            print(json.dumps({"per_second": (messages - 1) / ((time.perf_counter_ns() - start) / 1e9)}))


if __name__ == "__main__":
    role, mode, *rest = sys.argv[1:]
    if role == "server":
        asyncio.run(serve(mode, rest))
    else:
        asyncio.run(client(mode, rest[0], int(rest[1]), int(rest[2]) if len(rest) > 2 else 0))
