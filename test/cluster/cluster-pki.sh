# Sourced by cluster.sh: the cluster's certificates (openssl) and kubeconfigs, made once per
# state directory. One CA signs everything; identities follow Kubernetes' conventions (the Node
# authorizer needs system:node:<name> in system:nodes; system:masters for the admin).

# cert NAME SUBJECT [SANS]: a key and a CA-signed certificate under $state/pki.
cert() {
  local name=$1 subj=$2 sans=${3:-} pki="$state/pki" ext
  [ -f "$pki/$name.crt" ] && return 0
  ext=$(mktemp)
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$ext"
  [ -z "$sans" ] || echo "subjectAltName=$sans" >>"$ext"
  openssl req -new -newkey rsa:2048 -nodes -keyout "$pki/$name.key" -subj "$subj" -out "$pki/$name.csr" 2>/dev/null
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 365 -extfile "$ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$ext" "$pki/$name.csr"
}

# kubeconfig NAME CERT: a kubeconfig for the API server with that client certificate.
kubeconfig() {
  local file="$state/kubeconfig/$1.kubeconfig" pki="$state/pki"
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: nck8s
  cluster:
    server: https://$node_ip:6443
    certificate-authority: $pki/ca.crt
users:
- name: $1
  user:
    client-certificate: $pki/$2.crt
    client-key: $pki/$2.key
contexts:
- name: $1@nck8s
  context: {cluster: nck8s, user: $1}
current-context: $1@nck8s
EOF
}

make_pki() {
  local pki="$state/pki"
  mkdir -p "$pki" && chmod 700 "$pki"
  if [ ! -f "$pki/ca.crt" ]; then
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -subj "/CN=nck8s-ca" -days 365 \
      -out "$pki/ca.crt" 2>/dev/null
  fi
  [ -f "$pki/sa.key" ] || { openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null && openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null; }
  cert kube-apiserver "/CN=kube-apiserver" \
    "IP:$node_ip,IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
  cert admin "/O=system:masters/CN=nck8s-admin"
  cert kube-controller-manager "/CN=system:kube-controller-manager"
  cert kube-scheduler "/CN=system:kube-scheduler"
  cert kube-proxy "/CN=system:kube-proxy"
  cert kube-router "/CN=system:kube-router"
  cert kubelet "/O=system:nodes/CN=system:node:$node" "IP:$node_ip,IP:127.0.0.1,DNS:$node"
  local n
  for n in admin kube-controller-manager kube-scheduler kube-proxy kube-router kubelet; do kubeconfig "$n" "$n"; done
}
