#!/usr/bin/env python3
"""An outside gRPC client (Python's grpcio) for `bench serve`.

Generates Python code for Protos/transportbench.proto with grpcio-tools into a temporary folder,
calls transportbench.EventStream/Subscribe from sequence 0 with protobuf encoding, receives COUNT
events, checks that their sequences follow one another with no gap and no repeat, cancels the
call, and prints one JSON line: {"received": N, "first": S, "last": S, "contiguous": true}.
Exit status 0 when all is well.

With --compression gzip (or deflate) the channel compresses its requests with that algorithm
(grpc-encoding). grpc core still offers every algorithm it has, identity first
(grpc-accept-encoding: identity, deflate, gzip); --offer-only restricts the offer to the one
algorithm (channel argument grpc.compression_enabled_algorithms_bitset), so a server that picks
the first algorithm offered compresses its responses too.

    python3 scripts/interop/grpc_subscribe_client.py grpc://127.0.0.1:PORT 50
    python3 scripts/interop/grpc_subscribe_client.py grpc://127.0.0.1:PORT 50 --compression gzip --offer-only

A grpcs:// URL (bench serve --tls) opens a secure channel trusting the certificate --cafile names
(bench serve's `certificate PATH` line): grpc.ssl_channel_credentials(root_certificates=...),
which verifies the server against the address's host, 127.0.0.1 (the certificate names it).

    python3 scripts/interop/grpc_subscribe_client.py grpcs://127.0.0.1:PORT 50 --cafile cert.pem
"""
import argparse
import importlib
import json
import pathlib
import sys
import tempfile

import grpc
from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parents[2]


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


# grpc core's algorithm numbers (grpc_compression_algorithm): the bits of the enabled set.
ALGORITHMS = {"deflate": (grpc.Compression.Deflate, 1), "gzip": (grpc.Compression.Gzip, 2)}


def channel_for(url: str, cafile: str | None, options, compression):
    """An insecure channel for grpc://, a TLS one trusting `cafile` for grpcs://."""
    if url.startswith("grpcs://"):
        with open(cafile, "rb") as file:
            credentials = grpc.ssl_channel_credentials(root_certificates=file.read())
        return grpc.secure_channel(url.removeprefix("grpcs://"), credentials, options=options, compression=compression)
    return grpc.insecure_channel(url.removeprefix("grpc://"), options=options, compression=compression)


def main(url: str, count: int, compression: str | None, offer_only: bool, cafile: str | None) -> int:
    options = []
    if compression and offer_only:
        options.append(("grpc.compression_enabled_algorithms_bitset", 1 << ALGORITHMS[compression][1]))
    with tempfile.TemporaryDirectory() as folder:
        messages, services = generated_modules(folder)
        algorithm = ALGORITHMS[compression][0] if compression else None
        with channel_for(url, cafile, options, algorithm) as channel:
            stub = services.EventStreamStub(channel)
            call = stub.Subscribe(messages.Cursor(after=0), metadata=[("bench-encoding", "protobuf")], timeout=30)
            sequences = []
            for event in call:
                sequences.append(event.sequence)
                if len(event.payload) == 0:
                    print(json.dumps({"error": "empty payload", "sequence": event.sequence}))
                    return 1
                if len(sequences) == count:
                    call.cancel()
                    break
    if not sequences:
        print(json.dumps({"error": "no events"}))
        return 1
    contiguous = sequences == list(range(sequences[0], sequences[0] + len(sequences)))
    print(json.dumps({"received": len(sequences), "first": sequences[0], "last": sequences[-1], "contiguous": contiguous}))
    return 0 if contiguous and len(sequences) == count else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Subscribe to bench serve's gRPC endpoint with grpcio.")
    parser.add_argument("url")
    parser.add_argument("count", type=int)
    parser.add_argument("--compression", choices=sorted(ALGORITHMS))
    parser.add_argument("--offer-only", action="store_true")
    parser.add_argument("--cafile", help="the certificate to trust for grpcs:// (bench serve --tls prints its path)")
    arguments = parser.parse_args()
    sys.exit(main(arguments.url, arguments.count, arguments.compression, arguments.offer_only, arguments.cafile))
