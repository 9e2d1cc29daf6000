// Command workloads prints, as a Markdown table, what each benchmark
// workload of docs/benchmarks.md looks like at each size: its statements
// (denies, wildcards, conditions), its requests (how many are allowed) and
// how many statements a request matches. Run from the bench module:
//
//	go run ./cmd/workloads [-sizes 10,1000,10000,100000]
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"gatehouse.dev/gatehouse/internal/workload"
)

func main() {
	sizesFlag := flag.String("sizes", "10,1000,10000,100000", "comma-separated statement counts")
	flag.Parse()
	var sizes []int
	for _, s := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			fmt.Fprintf(os.Stderr, "workloads: bad size %q: %v\n", s, err)
			os.Exit(2)
		}
		sizes = append(sizes, n)
	}
	fmt.Println("| workload | statements | deny | wildcard action | wildcard resource (not trailing) | trailing-* resource | with conditions | requests allowed | action matches (mean/max) | action+resource matches (mean/max) | full matches (mean/max) |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, name := range workload.Names {
		for _, size := range sizes {
			start := time.Now()
			w, err := workload.Generate(name, size)
			if err != nil {
				fmt.Fprintln(os.Stderr, "workloads:", err)
				os.Exit(2)
			}
			gen := time.Since(start)
			st := w.Stats()
			fmt.Fprintf(os.Stderr, "%s/%d: generated in %v, stats in %v\n", name, size, gen.Round(time.Millisecond), (time.Since(start) - gen).Round(time.Millisecond))
			pct := func(n int) string { return fmt.Sprintf("%.3g%%", 100*float64(n)/float64(st.Statements)) }
			fmt.Printf("| %s | %d | %s | %s | %s | %s | %s | %d / %d | %.1f / %d | %.1f / %d | %.2f / %d |\n",
				name, size, pct(st.Deny), pct(st.WildAction), pct(st.WildResource), pct(st.TrailingResource), pct(st.Conditional),
				st.Allowed, st.Requests,
				st.MeanActionMatch, st.MaxActionMatch, st.MeanResourceMatch, st.MaxResourceMatch, st.MeanFullMatch, st.MaxFullMatch)
		}
	}
}
