package workload

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
)

// Names lists the workloads, in the order the benchmarks run them.
var Names = []string{"rbac", "wildcard", "tenant"}

// Sizes lists the statement counts the benchmarks use.
var Sizes = []int{10, 1_000, 10_000, 100_000}

// RequestCount is the number of requests generated for every workload.
const RequestCount = 1_000

// MinSize is the smallest statement count a workload can be generated with:
// room for its few statements that match every request.
const MinSize = 3

// Generate builds the workload name with size statements. The result
// depends only on name and size.
func Generate(name string, size int) (*Workload, error) {
	if size < MinSize {
		return nil, fmt.Errorf("workload %s: size %d is below the minimum of %d statements", name, size, MinSize)
	}
	gen, ok := generators[name]
	if !ok {
		return nil, fmt.Errorf("unknown workload %q: use one of %v", name, Names)
	}
	w := &Workload{Name: name, Size: size, Seed: seed(name, size)}
	g := &gen0{w: w, rng: rand.New(rand.NewPCG(w.Seed, w.Seed^0x9e3779b97f4a7c15))}
	gen(g)
	for i := range w.Requests {
		w.Requests[i].Allow = w.Decide(&w.Requests[i])
	}
	return w, nil
}

// MustGenerate is Generate for names and sizes known to be valid; it panics
// on an error. For benchmarks and tests.
func MustGenerate(name string, size int) *Workload {
	w, err := Generate(name, size)
	if err != nil {
		panic(err)
	}
	return w
}

var generators = map[string]func(*gen0){
	"rbac":     genRBAC,
	"wildcard": genWildcard,
	"tenant":   genTenant,
}

func seed(name string, size int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "gatehouse-bench/%s/%d", name, size)
	return h.Sum64()
}

// gen0 is the state shared by the generators.
type gen0 struct {
	w   *Workload
	rng *rand.Rand
}

func (g *gen0) add(s Statement) { g.w.Statements = append(g.w.Statements, s) }

func (g *gen0) request(r Request) { g.w.Requests = append(g.w.Requests, r) }

// n returns a random int in [0, n).
func (g *gen0) n(n int) int { return g.rng.IntN(n) }

// chance reports true with probability pct percent.
func (g *gen0) chance(pct int) bool { return g.rng.IntN(100) < pct }

func (g *gen0) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

// roles returns 1 to 3 distinct roles out of "role0".."role<n-1>".
func (g *gen0) roles(n int) []string {
	k := 1 + g.n(3)
	out := make([]string, 0, k+2)
	for len(out) < k {
		r := fmt.Sprintf("role%d", g.n(n))
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
		if len(out) >= n {
			break
		}
	}
	return out
}

// scale returns size/per, at least lo.
func scale(size, per, lo int) int { return max(lo, size/per) }
