#!/usr/bin/env bash
# Builds the one-node cluster's components from Go modules of ours (test/cluster/build/<name>/),
# each into $CLUSTER_CACHE/<name>-<version>/, skipping what is already there. Two builds at a
# time (2 cores); each build's log and time go to $CLUSTER_CACHE/logs/<name>-<version>.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CLUSTER_CACHE:-/var/cache/nuxeo-compact-k8s/cluster}
mkdir -p "$cache/logs"
export GOFLAGS=-buildvcs=false GOTOOLCHAIN=local PATH=$PATH:/usr/local/go/bin
command -v go >/dev/null || { echo "build.sh: Go 1.26 is needed (the machine's /usr/local/go)" >&2; exit 1; }

# version NAME MODULE: the version our module requires (the cache key).
version() { sed -n "s|^require $2 \(v[^ ]*\)$|\1|p; s|^\t$2 \(v[^ ]*\)$|\1|p" "$here/build/$1/go.mod" | head -1; }

k8s_ldflags() {
  local v=$1 minor; minor=$(echo "$v" | cut -d. -f2)
  local f="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  echo "$f"
}

build_kubernetes() { # $1 = out dir
  local v; v=$(version kubernetes k8s.io/kubernetes)
  CGO_ENABLED=0 go build -trimpath -ldflags "$(k8s_ldflags "$v")" -o "$1/" \
    k8s.io/kubernetes/cmd/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kube-proxy,kubectl}
}
build_etcd() { CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$1/etcd" .; }
build_containerd() {
  local v; v=$(version containerd github.com/containerd/containerd/v2)
  local ld="-s -w -X github.com/containerd/containerd/v2/version.Version=$v"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ld" -tags "no_btrfs no_devmapper no_zfs" -o "$1/" \
    github.com/containerd/containerd/v2/cmd/{containerd,ctr}
  # The shim as containerd's Makefile builds it: static, without gRPC (ttrpc only).
  CGO_ENABLED=0 go build -trimpath -ldflags "$ld" -tags "no_btrfs no_devmapper no_zfs no_grpc" \
    -o "$1/" github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2
}
build_coredns() { CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$1/coredns" .; }
build_kube-router() {
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$1/" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router
}
build_crane() { CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$1/" github.com/google/go-containerregistry/cmd/crane; }
build_pause() { gcc -static -Os -o "$1/pause" pause.c && strip "$1/pause"; }

# component NAME -> "NAME-VERSION"
key() {
  case $1 in
    kubernetes) echo "kubernetes-$(version kubernetes k8s.io/kubernetes)";;
    etcd) echo "etcd-$(version etcd go.etcd.io/etcd/server/v3)";;
    containerd) echo "containerd-$(version containerd github.com/containerd/containerd/v2)";;
    coredns) echo "coredns-$(version coredns github.com/coredns/coredns)";;
    kube-router) echo "kube-router-$(version kube-router github.com/cloudnativelabs/kube-router/v2)";;
    crane) echo "crane-$(version crane github.com/google/go-containerregistry)";;
    pause) echo "pause-$(sha256sum "$here/build/pause/pause.c" | cut -c1-12)";;
  esac
}

# shellcheck source=build-common.sh
. "$here/build-common.sh"

# dir NAME: where NAME's binaries are (for cluster.sh).
if [ "${1:-}" = dir ]; then echo "$cache/$(key "$2")"; exit 0; fi

all=(kubernetes etcd containerd coredns kube-router crane pause)
names=("${@:-${all[@]}}")
build_all "${names[@]}"
