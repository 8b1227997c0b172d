#!/usr/bin/env python3
"""An outside STOMP client (Python's stomp.py over websocket-client) for `bench serve`.

Connects to the STOMP endpoint over WebSocket (stomp.WSStompConnection, STOMP 1.2, offering the
v12.stomp subprotocol), subscribes to /topic/events with the resume header x-resume-after:0 (so
it gets every event from the first) and the ack mode given, receives COUNT messages, acknowledges
each in the client modes, checks every message's headers, disconnects with a receipt, and prints
one JSON line: {"received": N, "first": S, "last": S, "contiguous": true, "headers": [...],
"wellFormed": true, "version": "1.2", "receipts": ["bye-1"]}. Exit status 0 when all is well.

    python3 scripts/interop/stomp_subscribe_client.py ws://127.0.0.1:PORT/stomp 50 --ack client-individual
"""
import argparse
import json
import sys
import threading
import urllib.parse

import stomp


class Listener(stomp.ConnectionListener):
    def __init__(self, count: int):
        self.count = count
        self.messages = []
        self.errors = []
        self.version = None
        self.receipts = []
        self.done = threading.Event()
        self.receipted = threading.Event()

    def on_connected(self, frame):
        self.version = frame.headers.get("version")

    def on_receipt(self, frame):
        self.receipts.append(frame.headers.get("receipt-id"))
        self.receipted.set()

    def on_message(self, frame):
        if len(self.messages) < self.count:
            self.messages.append(frame)
        if len(self.messages) >= self.count:
            self.done.set()

    def on_error(self, frame):
        self.errors.append(frame.headers.get("message"))
        self.done.set()


def main(url: str, count: int, ack: str) -> int:
    parts = urllib.parse.urlparse(url)
    connection = stomp.WSStompConnection([(parts.hostname, parts.port)], ws_path=parts.path,
                                         header={"Sec-WebSocket-Protocol": "v12.stomp"}, reconnect_attempts_max=1)
    listener = Listener(count)
    connection.set_listener("", listener)
    connection.connect(wait=True, headers={"host": parts.hostname})
    connection.subscribe(destination="/topic/events", id="sub-1", ack=ack, headers={"x-resume-after": "0"})
    if not listener.done.wait(timeout=10):
        print(json.dumps({"error": "timed out", "received": len(listener.messages)}))
        return 1
    if listener.errors:
        print(json.dumps({"error": listener.errors}))
        return 1
    for message in listener.messages:
        if ack != "auto":
            connection.ack(message.headers["ack"], "sub-1")
    connection.disconnect(receipt="bye-1")
    listener.receipted.wait(timeout=10)
    sequences = [json.loads(message.body)["sequence"] for message in listener.messages]
    wellFormed = all(
        message.headers.get("subscription") == "sub-1"
        and message.headers.get("message-id") == str(sequence)
        and message.headers.get("destination") == "/topic/events"
        and message.headers.get("content-type") == "application/json"
        and message.headers.get("content-length") == str(len(message.body.encode()))
        and (message.headers.get("ack") == str(sequence)) == (ack != "auto")
        for message, sequence in zip(listener.messages, sequences)
    )
    contiguous = sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    print(json.dumps({"received": len(sequences), "first": sequences[0], "last": sequences[-1], "contiguous": contiguous,
                      "headers": sorted(listener.messages[0].headers.keys()), "wellFormed": wellFormed,
                      "version": listener.version, "receipts": listener.receipts}))
    return 0 if contiguous and wellFormed else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Receive pushed events from bench serve's STOMP endpoint with stomp.py.")
    parser.add_argument("url")
    parser.add_argument("count", type=int)
    parser.add_argument("--ack", default="auto", choices=["auto", "client", "client-individual"])
    arguments = parser.parse_args()
    sys.exit(main(arguments.url, arguments.count, arguments.ack))
