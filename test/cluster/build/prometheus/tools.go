//go:build tools

// Package tools pins Prometheus' server command. Debian's prometheus 2.42 cannot stand in: Debian
// builds it without Kubernetes service discovery ("field kubernetes_sd_configs not found"), which
// every configuration prometheus-operator generates uses.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/prometheus"
)
