// Command etcd runs etcd's own server entry point; etcd's root module cannot be required
// (its go.mod replaces its siblings by path), so this module requires the server module and
// calls the same function etcd's main.go calls.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
