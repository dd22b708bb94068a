#!/usr/bin/env bash
# Regenerates the gogoproto Go code for every .proto file under proto/.
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-gocosmos on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

gogo_dir=$(go list -m -f '{{.Dir}}' github.com/cosmos/gogoproto)
if [ -z "$gogo_dir" ] || [ ! -d "$gogo_dir" ]; then
  go mod download github.com/cosmos/gogoproto
  gogo_dir=$(go list -m -f '{{.Dir}}' github.com/cosmos/gogoproto)
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One protoc call per directory: protoc wants all files of a Go package together.
find proto -name '*.proto' -printf '%h\n' | sort -u | while read -r dir; do
  protoc \
    -I proto \
    -I "$gogo_dir" \
    -I "$gogo_dir/protobuf" \
    --gocosmos_out=plugins=grpc,Mgoogle/protobuf/timestamp.proto=github.com/cosmos/gogoproto/types,Mgoogle/protobuf/duration.proto=github.com/cosmos/gogoproto/types,Mgoogle/protobuf/wrappers.proto=github.com/cosmos/gogoproto/types:"$out" \
    "$dir"/*.proto
done

# Generated files land under their go_package path; move them next to their .proto files.
src="$out/github.com/ballot-bft/ballot/proto"
find "$src" -name '*.pb.go' | while read -r f; do
  rel=${f#"$src"/}
  cp "$f" "proto/$rel"
done
