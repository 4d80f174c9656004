#!/usr/bin/env bash
# Packages what build-operators.sh built as its upstream release images do (binary path,
# entrypoint, user), plus the CloudNativePG operand image, and pushes them
# to the cluster's local registry: operator-images.sh REGISTRY (e.g. localhost:5000).
# Rebuilds an image only when its recipe digest changed (label nuxeo-compact-k8s.recipe); pushes
# every time (the registry keeps manifests in memory only; blobs already there are skipped).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
reg=${1:?registry host:port}; shift
# Optional names: only those images (cloudnative-pg, postgresql, prometheus-operator, prometheus, traefik, versitygw).
want() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }
only=("$@")
dir() { bash "$here/build-operators.sh" dir "$1"; }
ver() { basename "$(dir "$1")" | sed "s/^$1-//"; }

# image NAME:TAG CONTEXT: builds the Containerfile read on stdin from CONTEXT, pushes it.
image() {
  local ref=$reg/$1 ctx=$2 file; file=$(mktemp); cat >"$file"
  # The recipe, the files it copies and the base image (SALT) make the digest.
  local digest; digest=$( (cat "$file"; echo "${SALT:-}"; cd "$ctx" && find . -maxdepth 1 -type f -print0 | sort -z | xargs -0 -r sha256sum) | sha256sum | cut -c1-16)
  if [ "$(podman image inspect --format '{{ index .Labels "nuxeo-compact-k8s.recipe" }}' "$ref" 2>/dev/null || true)" != "$digest" ]; then
    podman build -q --pull=never --label "nuxeo-compact-k8s.recipe=$digest" -t "$ref" -f "$file" "$ctx" >/dev/null
  fi
  podman push -q --tls-verify=false "$ref" >/dev/null
  rm -f "$file"; echo "$ref"
}

# CloudNativePG (its Dockerfile): the manager at /operator/manager_<arch>, which the operator lists
# to learn the architectures it can run instances on (pkg/utils/discovery.go), /manager a symlink
# to it and the entrypoint, user 65532 (distroless nonroot). The same binary is the instance
# manager the operator copies into every PostgreSQL pod.
if want cloudnative-pg; then
  cnpg=$(mktemp -d); mkdir "$cnpg/operator"
  cp "$(dir cloudnative-pg)/manager" "$cnpg/operator/manager_amd64"; ln -s operator/manager_amd64 "$cnpg/manager"
  SALT=$(sha256sum "$cnpg/operator/manager_amd64") image "cloudnative-pg/cloudnative-pg:$(ver cloudnative-pg | sed 's/^v//')" "$cnpg" <<'EOF'
FROM scratch
COPY . /
USER 65532:65532
ENTRYPOINT ["/manager"]
EOF
  rm -rf "$cnpg"
fi

# prometheus-operator (Dockerfile, cmd/prometheus-config-reloader/Dockerfile): /bin/<command>,
# user nobody (65534). Upstream's base is busybox; nothing in the pods runs a shell.
po=$(dir prometheus-operator); pov=$(ver prometheus-operator)
want prometheus-operator && for cmd in operator prometheus-config-reloader; do
  name=$cmd; [ "$cmd" = operator ] && name=prometheus-operator
  image "prometheus-operator/$name:$pov" "$po" <<EOF
FROM scratch
COPY --chmod=0755 $cmd /bin/$cmd
USER 65534
ENTRYPOINT ["/bin/$cmd"]
EOF
done

# Traefik (its Dockerfile): /traefik as entrypoint. Upstream's base is alpine (CA certificates,
# tzdata); the tests use neither.
want traefik && image "traefik:$(ver traefik)" "$(dir traefik)" <<'EOF'
FROM scratch
COPY --chmod=0755 traefik /traefik
ENTRYPOINT ["/traefik"]
EOF

# versitygw: the binary at its upstream path; the pod gives its command line (upstream's
# entrypoint is a shell script turning environment variables into that same command line).
want versitygw && image "versity/versitygw:$(ver versitygw)" "$(dir versitygw)" <<'EOF'
FROM scratch
COPY --chmod=0755 versitygw /usr/local/bin/versitygw
USER 65534
ENTRYPOINT ["/usr/local/bin/versitygw"]
EOF

# Prometheus (its Dockerfile): /bin/prometheus, workdir /prometheus owned by nobody (an empty
# file copied with that owner makes the folder), user nobody, entrypoint /bin/prometheus (the
# operator gives every flag). Upstream's base is busybox and it adds promtool and an example
# configuration; the operator's pods use neither.
want prometheus && image "prometheus/prometheus:$(bash "$here/build-operators.sh" release prometheus)" "$(dir prometheus)" <<'EOF'
FROM scratch
COPY --chmod=0755 prometheus /bin/prometheus
COPY --chown=65534:65534 .done /prometheus/.keep
WORKDIR /prometheus
USER 65534
ENTRYPOINT ["/bin/prometheus"]
EOF

# The CloudNativePG operand: the PostgreSQL stand-in (test/pods/image) with what the operator
# needs in it (docs/src/container_images.md: PostgreSQL's commands on PATH, which the stand-in
# has; barman-cloud for the in-tree barmanObjectStore backups; the postgres user as UID 26, the
# Cluster's default postgresUID, as CloudNativePG's own images have it; GID 26 is Debian's `tape`,
# and the pods run with runAsGroup 26 whatever /etc/group says). The tag starts with
# the PostgreSQL version, from which the operator reads the major version.
want postgresql || exit 0   # (last: the other images are done)
standin=localhost/nuxeo-compact-k8s/stand-in:latest
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pgv=$(podman run --rm --pull=never --network none "$standin" postgres --version | awk '{print $3}')
empty=$(mktemp -d -p "$tmp")
SALT=$(podman image inspect --format '{{.Id}}' "$standin") image "cloudnative-pg/postgresql:$pgv-stand-in" "$empty" <<'EOF'
FROM localhost/nuxeo-compact-k8s/stand-in:latest
USER 0
RUN apt-get -o Acquire::Retries=3 update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends barman-cli-cloud \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && usermod -u 26 postgres \
 && chown -R 26 /var/lib/postgresql /var/run/postgresql
USER 26
EOF
true
