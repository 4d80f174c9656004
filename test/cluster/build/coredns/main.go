// Command coredns is CoreDNS's own server with only the plugins cluster DNS needs: the
// kubernetes plugin answers *.svc.cluster.local; there is no upstream to forward to here.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

// directives keep plugin.cfg's order, which decides the order a query passes the plugins.
var directives = []string{"ready", "health", "errors", "cache", "kubernetes"}

func init() { dnsserver.Directives = directives }

func main() { coremain.Run() }
