# Sourced by cluster.sh: `down` stops every process of ours (the pods' shims and containers
# included), then removes what they left on the host: mounts under the state directory, network
# namespaces (a test's outside network too), the bridge and the pods' veths, the KUBE-* iptables chains and kube-router's ipsets,
# and restores the sysctls `up` changed. Data (etcd, volumes, images) stays for the next `up`.

stop_pid() { # NAME PID: SIGTERM, then SIGKILL after 20 s
  local name=$1 pid=$2
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  log "$name did not stop on SIGTERM: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true
}

# Pods' processes: every shim started by our containerd (its socket path names our state) and
# what runs under the kubelet's cgroups.
stop_pods() {
  local pid
  for pid in $(pgrep -f 'containerd-shim-runc-v2' || true); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-address $state/containerd/containerd.sock" && kill -KILL "$pid" 2>/dev/null || true
  done
  local procs
  for procs in /sys/fs/cgroup/pids/kubepods/cgroup.procs /sys/fs/cgroup/pids/kubepods/*/cgroup.procs /sys/fs/cgroup/pids/kubepods/*/*/cgroup.procs /sys/fs/cgroup/pids/kubepods/*/*/*/cgroup.procs; do
    [ -f "$procs" ] || continue
    for pid in $(cat "$procs"); do kill -KILL "$pid" 2>/dev/null || true; done
  done
  sleep 1
  # The kubelet's cgroups (kubepods) in every hierarchy, deepest first.
  find /sys/fs/cgroup/*/kubepods -depth -type d -exec rmdir {} + 2>/dev/null || true
}

unmount_state() {
  local m
  # Deepest first; lazy as a last resort (a mount held by an exiting process).
  for m in $(awk -v s="$state" 'index($2, s) == 1 {print $2}' /proc/self/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  for m in $(awk '$2 ~ "^/run/netns/cni-" {print $2}' /proc/self/mounts); do umount "$m" 2>/dev/null || true; rm -f "$m"; done
}

# Rules of the built-in chains that jump to ours, then our chains (KUBE-*: the kubelet,
# kube-proxy, kube-router), in IPv4 and IPv6, every table.
clean_chains() {
  local ipt=$1 table chain rule
  for table in filter nat mangle raw; do
    { $ipt -t "$table" -S 2>/dev/null | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j KUBE-' || true; } | while read -r rule; do
      eval "$ipt -t $table ${rule/-A /-D }" || true
    done
    for chain in $($ipt -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
      $ipt -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $($ipt -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-/ {print $2}'); do
      $ipt -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

# The network a test builds outside the cluster (test/cluster/outside.ts: names nck8s-outside*),
# if a failed run left it: its listener, its namespace, the veth pair.
clean_outside() {
  local ns pid link
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^nck8s-outside/ {print $1}'); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '$2 ~ /^nck8s-outside/ {sub(/@.*/, "", $2); print $2}'); do
    ip link delete "$link" 2>/dev/null || true
  done
}

clean_network() {
  local set
  clean_outside
  if ip link show "$bridge" >/dev/null 2>&1; then ip link delete "$bridge"; fi
  # The pods' veths went with their network namespaces.
  clean_chains iptables
  clean_chains ip6tables
  # kube-router's ipsets: KUBE-SRC-*, KUBE-DST-*, kube-router-*.
  for set in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-|kube-router-)' || true); do ipset destroy "$set" 2>/dev/null || true; done
  if iptables-save 2>/dev/null | grep -q ':KUBE-' || ip6tables-save 2>/dev/null | grep -q ':KUBE-'; then log "warning: KUBE-* iptables chains remain"; fi
}

restore_sysctls() {
  local saved="$state/run/sysctl.saved" kv
  [ -f "$saved" ] || return 0
  while read -r kv; do sysctl -qw "$kv" 2>/dev/null || true; done <"$saved"
  rm -f "$saved"
}

cmd_down() {
  local i c pid
  for ((i = ${#components[@]} - 1; i >= 0; i--)); do
    c=${components[$i]}
    if [ "$c" = containerd ]; then stop_pods; fi
    if pid=$(pid_of "$c"); then stop_pid "$c" "$pid"; fi
    rm -f "$state/run/$c.pid"
  done
  stop_pods
  unmount_state
  clean_network
  restore_sysctls
  leftovers
  log "down"
}

# Fails `down` when anything of ours is still there (the test suite's teardown relies on it).
leftovers() {
  local left=() ours
  ours="$state|^${CLUSTER_CACHE:-/var/cache/nuxeo-compact-k8s/cluster}/[^ ]+/(etcd|kube-[a-z-]+|kubelet|containerd|crane)( |$)"
  pgrep -f "$ours" >/dev/null && left+=("processes: $(pgrep -f "$ours" | tr '\n' ' ')")
  [ -d /sys/fs/cgroup/pids/kubepods ] && left+=("the kubelet's cgroups (/sys/fs/cgroup/*/kubepods)")
  awk -v s="$state" 'index($2, s) == 1 || $2 ~ "^/run/netns/cni-"' /proc/self/mounts | grep -q . && left+=("mounts under $state or /run/netns/cni-*")
  ip link show "$bridge" >/dev/null 2>&1 && left+=("bridge $bridge")
  { ip netns list; ip -o link show; } 2>/dev/null | grep -q 'nck8s-outside' && left+=("a test's outside network (nck8s-outside*)")
  ip -o link show type veth 2>/dev/null | grep -q "master $bridge" && left+=("veths on $bridge")
  { iptables-save; ip6tables-save; } 2>/dev/null | grep -q '^:KUBE-' && left+=("KUBE-* iptables chains")
  ipset list -n 2>/dev/null | grep -qE '^(KUBE-|kube-router-)' && left+=("kube-router ipsets")
  if [ ${#left[@]} -gt 0 ]; then printf 'cluster: left behind: %s\n' "${left[@]}" >&2; return 1; fi
}
