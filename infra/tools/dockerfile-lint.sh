#!/usr/bin/env bash
# Prints the path of infra/tools/dockerfile-lint (BuildKit's Dockerfile checks, the rules of
# `docker build --check`, without an engine), building it first when its sources changed.
# Cached per user like the Temporal CLI: ${XDG_CACHE_HOME:-~/.cache}/gyroscops/dockerfile-lint/<hash>/.
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/dockerfile-lint" && pwd)"
hash="$(cat "$source_dir/go.mod" "$source_dir/go.sum" "$source_dir/main.go" | sha256sum | cut -c1-16)"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/gyroscops/dockerfile-lint/$hash"
binary="$cache_dir/dockerfile-lint"
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo >&2 "dockerfile-lint.sh: no Go toolchain to build $source_dir"
  exit 1
fi

mkdir -p "$cache_dir"
# One build at a time: parallel test runs wait for the first one instead of building twice.
exec 9>"$cache_dir/.lock"
flock 9
if [[ ! -x "$binary" ]]; then
  echo >&2 "dockerfile-lint.sh: building BuildKit's Dockerfile linter (once per change; a minute or more)"
  staging="$(mktemp -d "$cache_dir/.build.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  (cd "$source_dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$staging/dockerfile-lint" .) >&2
  mv "$staging/dockerfile-lint" "$binary"
fi
echo "$binary"
