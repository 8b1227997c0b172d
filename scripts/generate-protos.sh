#!/usr/bin/env bash
# Regenerates Sources/BenchMessages/Generated (messages) and Sources/BenchGRPC/Generated (the
# gRPC service) from Protos/*.proto with Debian's protoc and the protoc-gen-swift and
# protoc-gen-grpc-swift-2 built from the versions Package.swift resolves. The generated files are
# committed; run this after changing a .proto.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc is missing: apt-get install protobuf-compiler" >&2; exit 1; }
swift build --product protoc-gen-swift
swift build --product protoc-gen-grpc-swift-2
bin=$(swift build --show-bin-path)
out=Sources/BenchMessages/Generated
rm -f "$out"/*.pb.swift
protoc --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --swift_out="$out" --swift_opt=Visibility=Public \
  -I Protos Protos/transportbench.proto
grpc_out=Sources/BenchGRPC/Generated
mkdir -p "$grpc_out"
rm -f "$grpc_out"/*.grpc.swift
# The service code is internal to BenchGRPC, the only module that imports gRPC.
protoc --plugin=protoc-gen-grpc-swift="$bin/protoc-gen-grpc-swift-2" \
  --grpc-swift_out="$grpc_out" \
  --grpc-swift_opt=Visibility=Internal,Server=true,Client=true,ExtraModuleImports=BenchMessages \
  -I Protos Protos/transportbench.proto
echo "generated: $(ls "$out" "$grpc_out")" >&2
