#!/usr/bin/env bash
# A real one-node Kubernetes on this machine, from binaries built by build.sh (Kubernetes' own
# commands, etcd, containerd + Debian's runc, CoreDNS, kube-router's network-policy firewall,
# crane's registry). `up` builds what is missing and starts everything; `down` stops it and removes
# every process, mount, interface, iptables chain and ipset of ours; `status` says what runs.
# All state (certificates, configs, data, one log per component) is under $CLUSTER_STATE.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state=${CLUSTER_STATE:-/var/lib/nuxeo-compact-k8s/cluster}
node=nck8s-node
bridge=nck8s0
node_ip=10.244.0.1           # the bridge's address: the API server and kubelet listen there
pod_cidr=10.244.0.0/16       # podman's own network is 10.88.0.0/16
node_pod_cidr=10.244.0.0/24
service_cidr=10.96.0.0/16
dns_ip=10.96.0.10
registry_port=${CLUSTER_REGISTRY_PORT:-32500}
registry=localhost:$registry_port
etcd_port=12379
# Processes in start order; `down` stops them in reverse.
components=(registry etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router)

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }
bin() { echo "$("$here/build.sh" dir "$1")/$2"; }

pid_of() { local f="$state/run/$1.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }

# start NAME CMD...: runs CMD in its own session, logs to $state/logs/NAME.log. Only stdin, stdout
# and stderr are passed on: a lock held by whoever runs `up` (`flock FILE cmd` hands its fd to
# cmd's children) must not stay held by a daemon that outlives it.
start() {
  local name=$1; shift
  if pid_of "$name" >/dev/null; then return 0; fi
  (
    for fd in /proc/self/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && [ "$fd" != 255 ] && eval "exec $fd>&-"; done
    exec setsid "$@"
  ) >>"$state/logs/$name.log" 2>&1 < /dev/null &
  echo $! >"$state/run/$name.pid"
}

# wait_until WHAT SECONDS CMD...: polls CMD once a second.
wait_until() {
  local what=$1 secs=$2; shift 2
  for _ in $(seq "$secs"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  die "$what not ready after ${secs}s (logs: $state/logs/)"
}

kubectl() { "$(bin kubernetes kubectl)" --kubeconfig "$state/kubeconfig/admin.kubeconfig" "$@"; }

source "$here/cluster-pki.sh"
source "$here/cluster-config.sh"

# Host settings the kubelet and kube-proxy need; their previous values are restored by `down`.
host_setup() {
  local saved="$state/run/sysctl.saved" k
  if [ ! -f "$saved" ]; then
    for k in net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables vm.overcommit_memory vm.panic_on_oom \
      kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.ipv4.conf.all.route_localnet; do
      echo "$k=$(sysctl -n "$k")" >>"$saved"
    done
  fi
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  # Volumes the kubelet mounts must propagate to containers (mountPropagation, CSI-like paths).
  mount --make-rshared /
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge
    ip addr add "$node_ip/24" dev "$bridge"
  fi
  ip link set "$bridge" up
}

start_control_plane() {
  start registry env PORT="$registry_port" "$(bin crane crane)" registry serve --address "127.0.0.1:$registry_port" --disk "$state/registry"
  start etcd "$(bin etcd etcd)" --name "$node" --data-dir "$state/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls http://127.0.0.1:12380 --initial-advertise-peer-urls http://127.0.0.1:12380 \
    --initial-cluster "$node=http://127.0.0.1:12380" --listen-metrics-urls ''
  wait_until etcd 60 curl -sf "http://127.0.0.1:$etcd_port/health"
  start kube-apiserver "$(bin kubernetes kube-apiserver)" "${apiserver_flags[@]}"
  wait_until kube-apiserver 120 kubectl get --raw /readyz
  start kube-controller-manager "$(bin kubernetes kube-controller-manager)" "${controller_manager_flags[@]}"
  start kube-scheduler "$(bin kubernetes kube-scheduler)" --kubeconfig "$state/kubeconfig/kube-scheduler.kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1
}

start_node() {
  start containerd env PATH="$(bin containerd containerd-shim-runc-v2 | xargs dirname):$PATH" \
    "$(bin containerd containerd)" --config "$state/config/containerd.toml"
  wait_until containerd 60 test -S "$state/containerd/containerd.sock"
  start kubelet "$(bin kubernetes kubelet)" --config "$state/config/kubelet.yaml" \
    --kubeconfig "$state/kubeconfig/kubelet.kubeconfig" --root-dir "$state/kubelet" --hostname-override "$node" --node-ip "$node_ip"
  start kube-proxy "$(bin kubernetes kube-proxy)" --config "$state/config/kube-proxy.yaml"
  wait_until "node $node Ready" 120 sh -c "'$(bin kubernetes kubectl)' --kubeconfig '$state/kubeconfig/admin.kubeconfig' get node $node -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}' | grep -qx True"
  start kube-router "$(bin kube-router kube-router)" --kubeconfig "$state/kubeconfig/kube-router.kubeconfig" \
    --hostname-override "$node" --run-firewall=true --run-router=false --run-service-proxy=false \
    --service-cluster-ip-range "$service_cidr" --metrics-port 0 --health-port 20244
}

# The operators' images built earlier (operator-images.sh, kept by podman) pushed again: the registry
# keeps manifests in memory only, and an operator still deployed in etcd must pull its image at
# once, or its finalizers hold namespaces in Terminating (seen: CloudNativePG in ImagePullBackOff).
push_operator_images() {
  local ref
  for ref in $(podman images --filter label=nuxeo-compact-k8s.recipe --format '{{.Repository}}:{{.Tag}}' | grep "^$registry/" || true); do
    podman push -q --tls-verify=false "$ref" >>"$state/logs/images.log" 2>&1 || log "push of $ref failed (see $state/logs/images.log)"
  done
}

cmd_up() {
  local t0=$SECONDS
  [ "$(id -u)" = 0 ] || die "must run as root (it starts a kubelet)"
  "$here/build.sh"
  mkdir -p "$state"/{run,logs,config,kubeconfig,registry,volumes,cni/net.d,cni/ipam}
  make_pki
  write_configs
  host_setup
  start_control_plane
  # RBAC, storage classes and CoreDNS first: kube-router gives up if it cannot list at start.
  kubectl apply --server-side --force-conflicts -f "$state/config/addons.yaml" >>"$state/logs/addons.log"
  make_volumes
  "$here/images.sh" "$registry" "$state" 2>>"$state/logs/images.log"
  push_operator_images
  start_node
  wait_until "CoreDNS" 180 kubectl -n kube-system rollout status deploy/coredns --timeout=5s
  wait_until "cluster DNS" 60 dig_kubernetes
  log "up in $((SECONDS - t0)) s"
  echo "KUBECONFIG=$state/kubeconfig/admin.kubeconfig"
  echo "KUBECTL=$(bin kubernetes kubectl)"
}

# The API server's Service name, resolved by CoreDNS through the cluster DNS Service address
# (kube-proxy's rules apply to the host's own traffic too).
dig_kubernetes() {
  node -e '
    const r = new (require("dns").promises.Resolver)({ timeout: 2000, tries: 1 });
    r.setServers([process.argv[1]]);
    r.resolve4("kubernetes.default.svc.cluster.local").then((a) => process.exit(a[0] === "10.96.0.1" ? 0 : 1), () => process.exit(1));
  ' "$dns_ip"
}

cmd_status() {
  local c pid
  for c in "${components[@]}"; do
    if pid=$(pid_of "$c"); then echo "$c: running (pid $pid)"; else echo "$c: stopped"; fi
  done
  if pid_of kube-apiserver >/dev/null; then kubectl get nodes -o wide 2>&1 || true; kubectl get pods -A 2>&1 || true; fi
}

source "$here/cluster-down.sh"

case "${1:-}" in
  up) cmd_up;;
  down) cmd_down;;
  status) cmd_status;;
  *) echo "usage: cluster.sh up|down|status" >&2; exit 2;;
esac
