//go:build tools

// Package tools pins versitygw, the S3-compatible server the backup tests write to.
package tools

import (
	_ "github.com/versity/versitygw/cmd/versitygw"
)
