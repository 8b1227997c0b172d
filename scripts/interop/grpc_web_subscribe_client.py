#!/usr/bin/env python3
"""An outside gRPC-Web client (Python's sonora) for `bench serve`'s grpc-web endpoint.

Generates Python code for Protos/transportbench.proto with grpcio-tools into a temporary folder,
calls transportbench.EventStream/Subscribe through sonora's gRPC-Web channel (HTTP/1.1 POST,
application/grpc-web+proto) from sequence 0, receives COUNT events, checks that their sequences
follow one another with no gap and no repeat, and prints one JSON line:
{"received": N, "first": S, "last": S, "contiguous": true}. Exit status 0 when all is well.

URL is the endpoint line bench serve prints (http://127.0.0.1:PORT/transportbench.EventStream/Subscribe)
or the server's base URL. With --to-end the client reads on after COUNT events until the server
ends the call and adds the trailers it read: {"trailers": {"grpc-status": "0", ...}}.

    python3 scripts/interop/grpc_web_subscribe_client.py http://127.0.0.1:PORT/transportbench.EventStream/Subscribe 50

sonora's channel takes no `_registered_method` argument, which the stubs of grpcio-tools 1.62 and
later pass; a thin adapter drops it. sonora speaks the binary format only (no grpc-web-text).
"""
import argparse
import importlib
import json
import pathlib
import sys
import tempfile

from grpc_tools import protoc
from sonora.client import insecure_web_channel

ROOT = pathlib.Path(__file__).resolve().parents[2]
METHOD = "/transportbench.EventStream/Subscribe"


def generated_modules(folder: str):
    include = str(pathlib.Path(protoc.__file__).parent / "_proto")
    status = protoc.main([
        "grpc_tools.protoc", f"-I{ROOT / 'Protos'}", f"-I{include}",
        f"--python_out={folder}", f"--grpc_python_out={folder}", "transportbench.proto",
    ])
    if status != 0:
        raise SystemExit(f"protoc failed with status {status}")
    sys.path.insert(0, folder)
    return importlib.import_module("transportbench_pb2"), importlib.import_module("transportbench_pb2_grpc")


class StubChannel:
    """sonora's channel, taking the keyword arguments newer generated stubs pass."""

    def __init__(self, channel):
        self.channel = channel

    def unary_unary(self, path, request_serializer=None, response_deserializer=None, **_):
        return self.channel.unary_unary(path, request_serializer, response_deserializer)

    def unary_stream(self, path, request_serializer=None, response_deserializer=None, **_):
        return self.channel.unary_stream(path, request_serializer, response_deserializer)

    def stream_unary(self, path, request_serializer=None, response_deserializer=None, **_):
        return self.channel.stream_unary(path, request_serializer, response_deserializer)

    def stream_stream(self, path, request_serializer=None, response_deserializer=None, **_):
        return self.channel.stream_stream(path, request_serializer, response_deserializer)


def main(url: str, count: int, to_end: bool) -> int:
    base = url.removesuffix(METHOD).rstrip("/") + "/"
    with tempfile.TemporaryDirectory() as folder:
        messages, services = generated_modules(folder)
        with insecure_web_channel(base) as channel:
            stub = services.EventStreamStub(StubChannel(channel))
            call = stub.Subscribe(messages.Cursor(after=0))
            sequences = []
            for event in call:
                if len(sequences) < count:
                    sequences.append(event.sequence)
                if len(event.payload) == 0:
                    print(json.dumps({"error": "empty payload", "sequence": event.sequence}))
                    return 1
                if len(sequences) == count and not to_end:
                    break
            summary = {
                "received": len(sequences),
                "first": sequences[0] if sequences else None,
                "last": sequences[-1] if sequences else None,
                "contiguous": sequences == list(range(sequences[0], sequences[0] + len(sequences))) if sequences else False,
            }
            if to_end:
                summary["trailers"] = dict(call.trailing_metadata() or [])
            print(json.dumps(summary))
            return 0 if len(sequences) == count and summary["contiguous"] else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("count", type=int)
    parser.add_argument("--to-end", action="store_true", help="read until the server ends the call and report its trailers")
    arguments = parser.parse_args()
    sys.exit(main(arguments.url, arguments.count, arguments.to_end))
