//go:build tools

// Package tools pins act (github.com/nektos/act), which runs examples/ci/github-actions-plan.yml
// on this host (test/ci/build-act.sh builds it, test/ci/recipes-run.test.ts runs it).
package tools

import _ "github.com/nektos/act"
