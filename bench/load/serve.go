package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"

	"gatehouse.dev/gatehouse/internal/cli"
)

type serveConfig struct {
	pprof string
}

func serveFlags(fs *flag.FlagSet) *serveConfig {
	c := &serveConfig{}
	fs.StringVar(&c.pprof, "pprof", "127.0.0.1:6060", "address of the net/http/pprof listener")
	return c
}

// serveProfiled runs `gatehouse serve args...` (the command's own code, in
// this process) with net/http/pprof on its own listener, so that
// `go tool pprof http://ADDR/debug/pprof/profile?seconds=N` profiles the
// server while load runs. The pprof listener is idle unless asked.
func serveProfiled(c *serveConfig, args []string, stdout, stderr io.Writer) error {
	ln, err := net.Listen("tcp", c.pprof)
	if err != nil {
		return fmt.Errorf("-pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() { _ = http.Serve(ln, mux) }()
	fmt.Fprintf(stderr, "load serve: pprof on http://%s/debug/pprof/\n", ln.Addr())
	if code := cli.Run(append([]string{"serve"}, args...), os.Stdin, stdout, stderr); code != 0 {
		return fmt.Errorf("gatehouse serve exited with status %d", code)
	}
	return nil
}
