// Command load is the HTTP load generator of gatehouse's service
// benchmarks (docs/benchmarks.md, "HTTP service"; issue 3). bench/load.sh
// drives it.
//
//	load setup [-url URL] [-users 1000] [-key-out FILE]
//	    loads a store through the HTTP API with the admin key
//	    ($GATEHOUSE_ADMIN_KEY): the LoopBack roles scenario grown into a
//	    shop (policies, roles, a group, N users, a role mapping for each),
//	    checks a few decisions, and creates a check-only API key.
//	load run [-url URL] [-key KEY] [-conns 32] [-duration 10s] [-rate R] [-batch N] [-json FILE]
//	    sends checks (or batches of N checks) on keep-alive connections,
//	    one request in flight on each, as fast as answers come back or at
//	    a fixed rate, and reports throughput and latency percentiles, the
//	    CPU time of the server and of itself, and the decision log's
//	    progress.
//	load bodies [-n 4096] [-batch N]
//	    prints the request bodies run sends, one a line, for
//	    bench/load.lua (wrk).
//	load serve [-pprof ADDR] -- [gatehouse serve flags]
//	    runs `gatehouse serve` in this process, with net/http/pprof on
//	    ADDR, to take a CPU profile of the server under load.
//
// The generator is its own small HTTP/1.1 client (prebuilt requests, one
// reused buffer per connection) rather than net/http's, because it shares
// the machine's cores with the server. Latencies are recorded in an
// HdrHistogram-style log-linear histogram (within 0.8 %). At a fixed rate
// each connection sends on its own evenly spaced schedule and a latency
// counts from when the request was due, not from when it was sent, so a
// stalled server is not hidden by the generator waiting for it
// (coordinated omission).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

const usage = `usage:
  load setup [flags]      load a store through the HTTP API
  load run [flags]        generate load and report throughput and latency
  load serve [flags] -- [gatehouse serve flags]
                          run gatehouse serve in-process, with pprof
  load bodies [flags]     print the request bodies, one a line (for wrk)
Run "load <command> -h" for its flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	fs := flag.NewFlagSet("load "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var do func() error
	switch args[0] {
	case "setup":
		c := setupFlags(fs)
		do = func() error { return setup(c, stdout) }
	case "run":
		c := runFlags(fs)
		do = func() error { return runLoad(c, stdout) }
	case "bodies":
		c := bodiesFlags(fs)
		do = func() error { return writeBodies(c, stdout) }
	case "serve":
		c := serveFlags(fs)
		do = func() error { return serveProfiled(c, fs.Args(), stdout, stderr) }
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if args[0] != "serve" && fs.NArg() > 0 {
		fmt.Fprintf(stderr, "load %s: unexpected arguments %q\n", args[0], fs.Args())
		return 2
	}
	if err := do(); err != nil {
		fmt.Fprintf(stderr, "load %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
