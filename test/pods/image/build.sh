#!/usr/bin/env bash
# Builds the stand-in image the pod tests run (see README "How the configuration is verified"):
# a Debian bookworm root filesystem (debootstrap, Debian's own mirror) with the servers Debian
# packages (PostgreSQL 15 + nss_wrapper, Redis + Sentinel, nginx, the Prometheus exporters) and,
# for the images Debian does
# not package, their layout only (stand-in-layout.sh). Rebuilt only when this folder changes: the
# image carries the folder's digest as a label.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
IMAGE=localhost/nuxeo-compact-k8s/stand-in:latest
NUXEO_IMAGE=localhost/nuxeo-compact-k8s/nuxeo-stand-in:latest
digest=$(cd "$here" && cat build.sh stand-in-layout.sh rootfs/usr/local/bin/* | sha256sum | cut -c1-16)
if [ "$(podman image inspect --format '{{ index .Labels "nuxeo-compact-k8s.recipe" }}' "$NUXEO_IMAGE" 2>/dev/null || true)" = "$digest" ]; then
  echo "stand-in image $IMAGE is up to date ($digest)"
  exit 0
fi
old=$(podman image inspect --format '{{.Id}}' "$IMAGE" "$NUXEO_IMAGE" 2>/dev/null || true)
rootfs=$(mktemp -d /var/tmp/stand-in-rootfs.XXXXXX)
chmod 0755 "$rootfs"
trap 'rm -rf "$rootfs"' EXIT
debootstrap --variant=minbase \
  --include=postgresql-15,libnss-wrapper,redis-server,redis-sentinel,nginx-light,busybox,curl,procps,prometheus-redis-exporter,prometheus-postgres-exporter,prometheus-nginx-exporter,prometheus-elasticsearch-exporter \
  bookworm "$rootfs" http://deb.debian.org/debian
cp -a "$here/rootfs/." "$rootfs/"
cp "$here/stand-in-layout.sh" "$rootfs/stand-in-layout.sh"
chroot "$rootfs" /bin/sh /stand-in-layout.sh
rm "$rootfs/stand-in-layout.sh"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | podman import \
  --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "LABEL nuxeo-compact-k8s.recipe=$digest" \
  - "$IMAGE"
# Nuxeo's image: its environment, its entrypoint as user 900; the others get a command from the pod.
podman build --pull=never -t "$NUXEO_IMAGE" -f - "$here" <<EOF
FROM $IMAGE
ENV NUXEO_USER=nuxeo NUXEO_HOME=/opt/nuxeo/server NUXEO_CONF=/etc/nuxeo/nuxeo.conf LANG=en_US.utf8
ENV PATH=/opt/nuxeo/server/bin:\$PATH
USER 900
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nuxeoctl", "console"]
EOF
# The previous build's images, now untagged (nothing else of the store is touched).
[ -z "$old" ] || podman rmi $old >/dev/null 2>&1 || true
echo "built $IMAGE and $NUXEO_IMAGE ($digest)"
