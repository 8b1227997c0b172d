#!/usr/bin/env python3
"""An outside gRPC client (Python's grpcio) for `bench serve`.

Generates Python code for Protos/transportbench.proto with grpcio-tools into a temporary folder,
calls transportbench.EventStream/Subscribe from sequence 0 with protobuf encoding, receives COUNT
events, checks that their sequences follow one another with no gap and no repeat, cancels the
call, and prints one JSON line: {"received": N, "first": S, "last": S, "contiguous": true}.
Exit status 0 when all is well.

    python3 scripts/interop/grpc_subscribe_client.py grpc://127.0.0.1:PORT 50
"""
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


def main(url: str, count: int) -> int:
    address = url.removeprefix("grpc://")
    with tempfile.TemporaryDirectory() as folder:
        messages, services = generated_modules(folder)
        with grpc.insecure_channel(address) as channel:
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
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
