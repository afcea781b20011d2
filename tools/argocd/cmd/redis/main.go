// Command redis is an in-memory Redis for `npm run validate:argocd`: Argo CD's controller and repo server keep
// their cache there, and miniredis (already in Argo CD's module graph) speaks enough of the protocol for them.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/alicebob/miniredis/v2"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	flag.Parse()
	m := miniredis.NewMiniRedis()
	if err := m.StartAddr(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "redis:", err)
		os.Exit(1)
	}
	// The harness reads the chosen port from this line.
	fmt.Printf("listening %s\n", m.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	m.Close()
}
