#!/usr/bin/env bash
# Regenerates Sources/BenchMessages/Generated from Protos/*.proto with Debian's protoc and the
# protoc-gen-swift built from the swift-protobuf version Package.swift resolves. The generated
# files are committed; run this after changing a .proto.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc is missing: apt-get install protobuf-compiler" >&2; exit 1; }
swift build --product protoc-gen-swift
bin=$(swift build --show-bin-path)
out=Sources/BenchMessages/Generated
rm -f "$out"/*.pb.swift
protoc --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --swift_out="$out" --swift_opt=Visibility=Public \
  -I Protos Protos/transportbench.proto
echo "generated: $(ls "$out")" >&2
