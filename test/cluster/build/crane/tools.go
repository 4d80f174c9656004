//go:build tools

// Package tools pins crane, whose `registry serve` is the cluster's local image registry.
package tools

import _ "github.com/google/go-containerregistry/cmd/crane"
