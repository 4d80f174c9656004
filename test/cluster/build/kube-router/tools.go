//go:build tools

// Package tools pins kube-router's command; the cluster runs only its network-policy firewall.
package tools

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
