#!/usr/bin/env bash
# Builds the controllers the generated objects rely on (CloudNativePG, prometheus-operator and
# Prometheus, Traefik) and the S3 server the backups go to (versitygw), each from a Go module of ours
# (test/cluster/build/<name>/: go.mod + tools.go requiring the upstream module at its release)
# into $CLUSTER_CACHE/<name>-<version>/, skipped when already there (same layout as build.sh).
# With `images REGISTRY`: packages each as its upstream release image does and pushes it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CLUSTER_CACHE:-/var/cache/nuxeo-compact-k8s/cluster}
mkdir -p "$cache/logs"
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local

# version NAME MODULE: the version our module requires (the cache key).
version() { sed -n "s|^require $2 \(v[^ ]*\)$|\1|p; s|^\t$2 \(v[^ ]*\)$|\1|p" "$here/build/$1/go.mod" | head -1; }

declare -A MODULE=(
  [cloudnative-pg]=github.com/cloudnative-pg/cloudnative-pg
  [prometheus-operator]=github.com/prometheus-operator/prometheus-operator
  [traefik]=github.com/traefik/traefik/v3
  [versitygw]=github.com/versity/versitygw
  [prometheus]=github.com/prometheus/prometheus
)
key() { echo "$1-$(version "$1" "${MODULE[$1]}")"; }

# Each with the ldflags of its upstream Makefile (version variables), static like its release.
build_cloudnative-pg() {
  local v; v=$(version cloudnative-pg "${MODULE[cloudnative-pg]}"); local p=github.com/cloudnative-pg/cloudnative-pg/pkg/versions
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X $p.buildVersion=${v#v}" -o "$1/manager" github.com/cloudnative-pg/cloudnative-pg/cmd/manager
}
build_prometheus-operator() {
  local v; v=$(version prometheus-operator "${MODULE[prometheus-operator]}")
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -X github.com/prometheus/common/version.Version=${v#v}" -o "$1/" \
    github.com/prometheus-operator/prometheus-operator/cmd/{operator,prometheus-config-reloader}
}
build_traefik() {
  local v; v=$(version traefik "${MODULE[traefik]}")
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$v" -o "$1/traefik" \
    github.com/traefik/traefik/v3/cmd/traefik
}
build_versitygw() {
  local v; v=$(version versitygw "${MODULE[versitygw]}")
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.Version=$v" -o "$1/versitygw" github.com/versity/versitygw/cmd/versitygw
}

# Prometheus' service discoveries are the imports of its plugins/plugins.go, which upstream
# generates from plugins.yml (`make plugins`); no build tag removes them, and go build's -overlay
# refuses files in the module cache. So the build uses a copy of the module (a `replace` in a copy
# of our go.mod, both removed after) whose plugins.go imports only kubernetes, the discovery
# prometheus-operator's configuration uses (file and http stay, in plugins/minimum.go). Tag netgo
# as its .promu.yml; not builtinassets (the web UI's compiled assets are not in the module; the
# HTTP API does not need them).
build_prometheus() {
  local m=${MODULE[prometheus]} v work; v=$(version prometheus "$m"); work="$1/src"
  mkdir "$work" && cp go.mod go.sum tools.go "$work/"
  cp -r "$(go mod download -json "$m@$v" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')" "$work/prometheus"
  chmod -R u+w "$work/prometheus"
  printf 'package plugins\n\nimport _ "%s/discovery/kubernetes"\n' "$m" >"$work/prometheus/plugins/plugins.go"
  (cd "$work" && go mod edit -replace "$m=./prometheus" && CGO_ENABLED=0 go build -trimpath -tags netgo \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=$(prometheus_release)" \
    -o "$1/prometheus" "$m/cmd/prometheus")
  rm -rf "$work"
}

# Prometheus' release of our module version: module v0.3MM.P is Prometheus 3.MM.P (v0.309.1: 3.9.1).
prometheus_release() {
  local v mm; v=$(version prometheus "${MODULE[prometheus]}"); v=${v#v0.}; mm=${v%%.*}
  echo "v3.$((10#${mm#3})).${v#*.}"
}

# shellcheck source=build-common.sh
. "$here/build-common.sh"

if [ "${1:-}" = dir ]; then echo "$cache/$(key "$2")"; exit 0; fi
if [ "${1:-}" = release ] && [ "${2:-}" = prometheus ]; then prometheus_release; exit 0; fi
if [ "${1:-}" = images ]; then exec bash "$here/operator-images.sh" "$2"; fi

all=(cloudnative-pg prometheus-operator versitygw traefik prometheus)
names=("${@:-${all[@]}}")
# Names of operator-images.sh that are images only (postgresql: CloudNativePG's operand) build nothing.
builds=()
for n in "${names[@]}"; do if [ -n "${MODULE[$n]:-}" ]; then builds+=("$n"); fi; done
build_all "${builds[@]}"
