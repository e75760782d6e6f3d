#!/usr/bin/env bash
# Builds aicost's slim OpenTelemetry Collector (`aicost-otelcol`) from
# collector/builder-config.yaml with the OpenTelemetry Collector Builder (ocb),
# and prints the binary's path as the last line on stdout.
#
#   collector/build.sh               build unless a binary for this manifest exists
#   collector/build.sh --print-path  only print where the binary is (or would be);
#                                    the caller checks whether the file exists
#   collector/build.sh --force       rebuild even when the binary is cached
#
# The binary is cached per manifest: $AICOST_CACHE_DIR/collector/<hash>/aicost-otelcol
# (AICOST_CACHE_DIR defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/aicost). The hash
# covers the manifest and this script's build recipe, so editing either one
# builds a new binary and a stale one is never picked up.
#
# Needs only `go` (the builder is installed with `go install` from the Go module
# proxy). Go's module cache and build cache stay where `go env` puts them, so a
# rebuild after a manifest bump reuses every module that did not change.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MANIFEST="$HERE/builder-config.yaml"
BINARY_NAME="aicost-otelcol"

# Bump when the way the binary is built changes (flags, steps), to invalidate caches.
RECIPE="ocb-default-flags(-trimpath,-ldflags=-s -w),cgo=0,v1"

log() { echo "[collector/build.sh] $*" >&2; }

mode="build"
case "${1:-}" in
  "") ;;
  --print-path) mode="print" ;;
  --force) mode="force" ;;
  *) log "unknown argument: $1 (expected --print-path or --force)"; exit 2 ;;
esac

# The builder version is pinned next to the modules it builds, in the manifest.
BUILDER_MODULE="$(sed -n 's/^# builder: *//p' "$MANIFEST")"
if [ -z "$BUILDER_MODULE" ]; then
  log "no '# builder: <module>@<version>' line in $MANIFEST"
  exit 1
fi

HASH="$({ cat "$MANIFEST"; echo "$RECIPE"; } | sha256sum | cut -c1-16)"
CACHE_ROOT="${AICOST_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/aicost}/collector"
BUILD_DIR="$CACHE_ROOT/$HASH"
BINARY="$BUILD_DIR/$BINARY_NAME"

if [ "$mode" = "print" ]; then
  echo "$BINARY"
  exit 0
fi

if [ "$mode" = "build" ] && [ -x "$BINARY" ]; then
  log "cached: $BINARY (manifest hash $HASH)"
  echo "$BINARY"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "go is not on PATH; install Go (>= 1.25) to build the collector"
  exit 1
fi

mkdir -p "$BUILD_DIR"
# One build per manifest at a time: CI and a developer's test run may race.
exec 9>"$BUILD_DIR/.lock"
flock 9
if [ "$mode" = "build" ] && [ -x "$BINARY" ]; then
  log "built by a concurrent run: $BINARY"
  echo "$BINARY"
  exit 0
fi

# ocb compiles with -trimpath and -ldflags="-s -w" by default (stripped, no
# local paths). CGO is off unless the manifest enables it. -buildvcs=false:
# the generated module is not in a VCS checkout.
case " ${GOFLAGS:-} " in *" -buildvcs=false "*) ;; *) export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false" ;; esac
export CGO_ENABLED=0

start=$(date +%s)

BUILDER="$BUILD_DIR/bin/builder"
if [ ! -x "$BUILDER" ]; then
  log "installing $BUILDER_MODULE"
  GOBIN="$BUILD_DIR/bin" go install "$BUILDER_MODULE"
fi

# Generate into a scratch directory and move the binary into place only when
# the build succeeded, so a half-built binary is never taken for a cached one.
WORK="$(mktemp -d "$BUILD_DIR/work.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
sed "s#^\([[:space:]]*output_path:\).*#\1 $WORK/src#" "$MANIFEST" >"$WORK/manifest.yaml"

log "building $BINARY_NAME with $BUILDER_MODULE (go $(go env GOVERSION), GOMODCACHE=$(go env GOMODCACHE))"
"$BUILDER" --config "$WORK/manifest.yaml" >"$WORK/builder.log" 2>&1 || {
  log "ocb failed; its output:"
  cat "$WORK/builder.log" >&2
  exit 1
}

mv "$WORK/src/$BINARY_NAME" "$BINARY"
cp "$MANIFEST" "$BUILD_DIR/builder-config.yaml"
log "built in $(($(date +%s) - start))s: $BINARY"
echo "$BINARY"
