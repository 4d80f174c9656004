//go:build tools

// Package tools pins the prometheus-operator release's two commands: the operator and the
// config reloader it injects into every Prometheus pod.
package tools

import (
	_ "github.com/prometheus-operator/prometheus-operator/cmd/operator"
	_ "github.com/prometheus-operator/prometheus-operator/cmd/prometheus-config-reloader"
)
