#!/usr/bin/env bash
# Prints the path of a Docker Compose binary, building it first when needed.
#
# There is no Docker engine (and no compose plugin) on the development machines or in CI, but
# `docker compose config` needs no engine: it loads, interpolates and validates the file against
# the Compose schema. This builds that exact command from Docker's own sources with the Go module
# proxy, once per machine, into the per-user cache (like the Temporal CLI of `npm start`):
#   ${XDG_CACHE_HOME:-~/.cache}/gyroscops/docker-compose/<version>/docker-compose
# Order: DOCKER_COMPOSE_PATH, then the cache, then a Go build (a few minutes the first time).
# The binary works standalone (`docker-compose config`), as Docker's own releases do.
set -euo pipefail

version="${DOCKER_COMPOSE_VERSION:-v2.40.3}"

if [[ -n "${DOCKER_COMPOSE_PATH:-}" ]]; then
  echo "$DOCKER_COMPOSE_PATH"
  exit 0
fi

cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/gyroscops/docker-compose/$version"
binary="$cache_dir/docker-compose"
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo >&2 "docker-compose.sh: no Go toolchain to build Docker Compose $version (set DOCKER_COMPOSE_PATH to an existing binary)"
  exit 1
fi

mkdir -p "$cache_dir"
# One build at a time: parallel test runs wait for the first one instead of building twice.
exec 9>"$cache_dir/.lock"
flock 9
if [[ ! -x "$binary" ]]; then
  echo >&2 "docker-compose.sh: building Docker Compose $version from its sources (once per machine; several minutes)"
  staging="$(mktemp -d "$cache_dir/.build.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  # Not `go install github.com/docker/compose/v2/cmd@$version`: Compose's go.mod has exclude
  # directives, which go install refuses. Build its released source as the main module instead,
  # so its go.mod and go.sum pin every dependency exactly as Docker's own build does.
  source_dir="$(GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v2@$version" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$source_dir" ]] || { echo >&2 "docker-compose.sh: could not download github.com/docker/compose/v2@$version"; exit 1; }
  (cd "$source_dir" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$version" \
    -o "$staging/cmd" ./cmd) >&2
  mv "$staging/cmd" "$binary"
fi
echo "$binary"
