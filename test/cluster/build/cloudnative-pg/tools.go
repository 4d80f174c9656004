//go:build tools

// Package tools pins CloudNativePG's operator command (the one binary of its release image:
// the operator, the instance manager copied into every PostgreSQL pod, and the backup agents).
package tools

import (
	_ "github.com/cloudnative-pg/cloudnative-pg/cmd/manager"
)
