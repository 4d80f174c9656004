#!/usr/bin/env bash
# Fills the cluster's local registry (images.sh REGISTRY STATE_DIR): the sandbox (pause) and
# CoreDNS images FROM scratch with our builds, the stand-in images (podman, test/pods/image/), and
# every name of images/images.txt. The registry keeps blobs on disk and manifests in memory, so
# this runs at every `up`; pushes of blobs already there are skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
reg=$1 state=$2
crane() { "$("$here/build.sh" dir crane)/crane" --insecure "$@"; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# scratch_image NAME BINARY: an image whose only file is BINARY, as its entrypoint.
scratch_image() {
  mkdir -p "$work/$1" && cp "$2" "$work/$1/" && tar -C "$work/$1" --owner=0 --group=0 -cf "$work/$1.tar" .
  crane append -f "$work/$1.tar" -t "$reg/nck8s/$1" >/dev/null
  crane mutate "$reg/nck8s/$1" --entrypoint "/$(basename "$2")" >/dev/null
}
scratch_image pause:1 "$("$here/build.sh" dir pause)/pause"
scratch_image coredns:v1.14.7 "$("$here/build.sh" dir coredns)/coredns"

bash "$here/../pods/image/build.sh" >"$state/logs/stand-in-image.log" 2>&1
for i in stand-in nuxeo-stand-in; do
  podman push -q --tls-verify=false "localhost/nuxeo-compact-k8s/$i:latest" "$reg/nck8s/$i:latest"
done
tar -C "$here/images/elasticsearch-stand-in" --owner=0 --group=0 -cf "$work/es.tar" .
crane mutate "$reg/nck8s/stand-in:latest" --append "$work/es.tar" \
  --entrypoint /usr/local/bin/elasticsearch-stand-in -t "$reg/nck8s/elasticsearch-stand-in:latest" >/dev/null

grep -v '^#' "$here/images/images.txt" | while read -r name base entrypoint; do
  [ -n "$name" ] || continue
  if [ "$entrypoint" = - ]; then crane copy "$reg/nck8s/$base:latest" "$reg/$name" >/dev/null
  else crane mutate "$reg/nck8s/$base:latest" --entrypoint "$entrypoint" -t "$reg/$name" >/dev/null; fi
done
