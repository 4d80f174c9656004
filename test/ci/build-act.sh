#!/usr/bin/env bash
# Builds act (github.com/nektos/act, the version test/ci/act/go.mod requires) into
# $CI_TOOLS_CACHE/act-<version>/act unless it is there; prints that path. A lock keeps two
# concurrent callers from building twice. Needs Go 1.26 (the machine's /usr/local/go).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CI_TOOLS_CACHE:-/var/cache/nuxeo-compact-k8s}
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local PATH=$PATH:/usr/local/go/bin
version=$(sed -n 's|^require github.com/nektos/act \(v[^ ]*\)$|\1|p' "$here/act/go.mod")
out="$cache/act-$version"
if [ ! -x "$out/act" ]; then
  mkdir -p "$cache"
  exec {lock}>"$cache/act-$version.lock"; flock "$lock"
  if [ ! -x "$out/act" ]; then
    rm -rf "$out.tmp" && mkdir -p "$out.tmp"
    start=$SECONDS
    (cd "$here/act" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out.tmp/act" github.com/nektos/act) >&2
    echo "act $version built in $((SECONDS - start)) s" >&2
    rm -rf "$out" && mv "$out.tmp" "$out"
  fi
fi
echo "$out/act"
