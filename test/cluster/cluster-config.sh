# Sourced by cluster.sh: every component's flags and configuration files, in the manner of
# Kubernetes' hack/local-up-cluster.sh, adapted to this host (cgroup v1 without systemd, our own
# bridge and ranges, a local registry).
pki=$state/pki

apiserver_flags=(
  --etcd-servers="http://127.0.0.1:$etcd_port"
  --bind-address="$node_ip" --advertise-address="$node_ip" --secure-port=6443
  --service-cluster-ip-range="$service_cidr"
  --authorization-mode=Node,RBAC
  # PodSecurity is in the default admission set; NodeRestriction goes with the Node authorizer.
  --enable-admission-plugins=NodeRestriction
  # Privileged pods are allowed by the API server so that Pod Security admission is what refuses
  # them in a `restricted` namespace.
  --allow-privileged=true
  --client-ca-file="$pki/ca.crt"
  --tls-cert-file="$pki/kube-apiserver.crt" --tls-private-key-file="$pki/kube-apiserver.key"
  --kubelet-client-certificate="$pki/apiserver-kubelet-client.crt" --kubelet-client-key="$pki/apiserver-kubelet-client.key"
  --kubelet-certificate-authority="$pki/ca.crt"
  # The node's name resolves nowhere: reach the kubelet (logs, exec) at its address.
  --kubelet-preferred-address-types=InternalIP
  --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key"
  --service-account-issuer=https://kubernetes.default.svc.cluster.local
)

controller_manager_flags=(
  --kubeconfig="$state/kubeconfig/kube-controller-manager.kubeconfig"
  --authentication-kubeconfig="$state/kubeconfig/kube-controller-manager.kubeconfig"
  --authorization-kubeconfig="$state/kubeconfig/kube-controller-manager.kubeconfig"
  --bind-address=127.0.0.1 --leader-elect=false
  --use-service-account-credentials=true
  --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt"
  --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key"
  --allocate-node-cidrs=true --cluster-cidr="$pod_cidr" --node-cidr-mask-size=24
  --service-cluster-ip-range="$service_cidr"
)

write_configs() {
  local c="$state/config"
  mkdir -p "$state/containerd/certs.d/$registry"
  cat >"$c/containerd.toml" <<EOF
version = 3
root = "$state/containerd/root"
state = "$state/containerd/state"
[grpc]
  address = "$state/containerd/containerd.sock"
[ttrpc]
  address = "$state/containerd/containerd.sock.ttrpc"
[plugins.'io.containerd.cri.v1.images']
  snapshotter = 'overlayfs'
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = '$registry/nck8s/pause:1'
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = '$state/containerd/certs.d'
[plugins.'io.containerd.cri.v1.runtime']
  enable_unprivileged_ports = true
  # This sandbox lacks CAP_SYS_RESOURCE: runc cannot lower oom_score_adj (the kubelet asks -998
  # for sandboxes), so containerd keeps every container's at or above its own.
  restrict_oom_score_adj = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = 'runc'
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = 'io.containerd.runc.v2'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        BinaryName = '$(command -v runc)'
        SystemdCgroup = false
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = ['/usr/lib/cni']
    conf_dir = '$state/cni/net.d'
EOF
  # The local registry speaks plain HTTP.
  printf 'server = "http://%s"\n[host."http://%s"]\n  capabilities = ["pull", "resolve"]\n' "$registry" "$registry" \
    >"$state/containerd/certs.d/$registry/hosts.toml"
  # Our bridge with its address as the pods' gateway; no masquerade (pods talk only inside).
  cat >"$state/cni/net.d/10-nck8s.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "nck8s", "plugins": [
  {"type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": false, "hairpinMode": true,
   "ipam": {"type": "host-local", "dataDir": "$state/cni/ipam",
            "ranges": [[{"subnet": "$node_pod_cidr", "gateway": "$node_ip"}]], "routes": [{"dst": "0.0.0.0/0"}]}}
]}
EOF
  cat >"$c/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $node_ip
containerRuntimeEndpoint: unix://$state/containerd/containerd.sock
cgroupDriver: cgroupfs
# This host has cgroup v1 (hybrid); Kubernetes 1.35+ refuses it unless told.
failCgroupV1: false
failSwapOn: false
clusterDNS: [$dns_ip]
clusterDomain: cluster.local
# No upstream DNS here: pods get only the cluster's.
resolvConf: ""
podLogsDir: $state/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $pki/kubelet.crt
tlsPrivateKeyFile: $pki/kubelet.key
# A shared disk: evict only when it is really full.
evictionHard: {nodefs.available: "2%", imagefs.available: "2%", memory.available: "500Mi"}
EOF
  cat >"$c/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: $state/kubeconfig/kube-proxy.kubeconfig}
hostnameOverride: $node
clusterCIDR: $pod_cidr
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: [$node_ip/32]
# Leave the host's conntrack table size and timeouts as they are.
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  sed -e "s|@DNS_IP@|$dns_ip|g" -e "s|@REGISTRY@|$registry|g" "$here/addons.yaml" >"$c/addons.yaml"
}

# Pre-made `local` PersistentVolumes (the kubelet applies fsGroup to them as it does to a
# provisioner's volumes): RWO and RWX classes, each a root-owned directory on the node.
make_volumes() {
  local cls mode i n name dir
  for cls in local-rwo:ReadWriteOnce:80 local-rwx:ReadWriteMany:24; do
    IFS=: read -r name mode n <<<"$cls"
    for i in $(seq -w 1 "$n"); do
      dir="$state/volumes/$name-$i"; mkdir -p "$dir"
      cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: $name-$i, labels: {nck8s/volume: "true"}}
spec:
  capacity: {storage: 100Gi}
  accessModes: [$mode]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: $name
  local: {path: $dir}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [$node]}]
EOF
    done
  done >"$state/config/volumes.yaml"
  kubectl apply --server-side -f "$state/config/volumes.yaml" >>"$state/logs/addons.log"
}
